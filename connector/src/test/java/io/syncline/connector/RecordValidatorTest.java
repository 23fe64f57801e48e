package io.syncline.connector;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.codec.EventHeaders;
import io.syncline.core.codec.TransactionCodec;
import io.syncline.core.event.ChainLink;
import io.syncline.core.event.Operation;
import io.syncline.core.event.OriginIdentity;
import io.syncline.core.event.ProgressReport;
import io.syncline.core.event.QuarantineReason;
import io.syncline.core.event.RejectedRecord;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.TransactionChunk;
import io.syncline.core.event.VersionVector;
import io.syncline.core.schema.ReplicationSchema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class RecordValidatorTest {

    private static final String TOPIC = ReplicationSchema.outboxTopic("dc-b");
    private static final RecordValidator VALIDATOR = new RecordValidator("dc-b", Set.of("dc-a", "dc-b", "dc-c"),
            Set.of("public.accounts", ReplicationSchema.PROGRESS_REPORT_TABLE));

    @Test
    void aRecordAsTheOutboxPublisherWritesItIsAccepted() {
        SourceTransaction tx = tx("dc-a", 1000, "public.accounts", List.of("dc-a", "dc-b"));
        byte[] body = TransactionCodec.encodeBody(tx);

        RecordValidator.Outcome outcome = VALIDATOR.check(TOPIC, 7, headers(tx), body);

        assertThat(outcome.rejected()).isNull();
        assertThat(outcome.accepted().transaction()).isEqualTo(tx);
        assertThat(outcome.accepted().offset()).isEqualTo(7);
    }

    @Test
    void randomBytesAreUndecodableAndNameTheOriginHeaderIfAny() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 200; i++) {
            byte[] body = new byte[random.nextInt(80)];
            random.nextBytes(body);
            RecordHeaders headers = new RecordHeaders();
            headers.add(EventHeaders.ORIGIN, bytes("dc-a"));
            headers.add(EventHeaders.PATH, bytes("dc-a,dc-b"));

            RejectedRecord rejected = VALIDATOR.check(TOPIC, i, headers, body).rejected();

            assertThat(rejected).as("seed %d, record %d", seed, i).isNotNull();
            // Bytes that happen to start like a body (its magic byte and a readable origin) name another origin.
            assertThat(rejected.reason()).as("seed %d, record %d", seed, i)
                    .isIn(QuarantineReason.UNDECODABLE, QuarantineReason.HEADER_MISMATCH);
            if (rejected.reason() == QuarantineReason.UNDECODABLE) {
                assertThat(rejected.origin()).isEqualTo("dc-a");
            }
            assertThat(rejected.body()).isEqualTo(body);
            assertThat(rejected.headers()).containsEntry(EventHeaders.PATH, "dc-a,dc-b");
        }
    }

    @Test
    void aProgressReportThatLacksItsPositionsIsUndecodable() {
        RowChange report = new RowChange(ReplicationSchema.PROGRESS_REPORT_TABLE, Operation.UPDATE, Map.of("node_id", "dc-a"),
                null, Map.of("stable", "{}"), Set.of(), RowVersion.INITIAL);
        SourceTransaction tx = new SourceTransaction("dc-a", 1000, 1_000_000L, 42, List.of("dc-a", "dc-b"), List.of(report),
                new ChainLink(new OriginIdentity(7, 1), ChainLink.NONE));

        RejectedRecord rejected = VALIDATOR.check(TOPIC, 3, headers(tx), TransactionCodec.encodeBody(tx)).rejected();

        assertThat(rejected.reason()).isEqualTo(QuarantineReason.UNDECODABLE);
        assertThat(rejected.detail()).isEqualTo("progress report without applied");
    }

    @Test
    void aRecordWithoutPathHeaderIsUndecodable() {
        SourceTransaction tx = tx("dc-a", 1000, "public.accounts", List.of("dc-a", "dc-b"));
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.ORIGIN, bytes("dc-a"));

        RejectedRecord rejected = VALIDATOR.check(TOPIC, 3, headers, TransactionCodec.encodeBody(tx)).rejected();

        assertThat(rejected.reason()).isEqualTo(QuarantineReason.UNDECODABLE);
        assertThat(rejected.detail()).contains(EventHeaders.PATH);
    }

    @Test
    void anOriginNotInTheTopologyIsRefused() {
        SourceTransaction tx = tx("dc-x", 1000, "public.accounts", List.of("dc-x", "dc-b"));

        RejectedRecord rejected = VALIDATOR.check(TOPIC, 3, headers(tx), TransactionCodec.encodeBody(tx)).rejected();

        assertThat(rejected.reason()).isEqualTo(QuarantineReason.UNKNOWN_ORIGIN);
        assertThat(rejected.origin()).isEqualTo("dc-x");
        assertThat(rejected.detail()).contains("dc-x");
    }

    @Test
    void aPathThatDoesNotEndWithTheUpstreamIsRefused() {
        SourceTransaction tx = tx("dc-a", 1000, "public.accounts", List.of("dc-a", "dc-c"));

        RejectedRecord rejected = VALIDATOR.check(TOPIC, 3, headers(tx), TransactionCodec.encodeBody(tx)).rejected();

        assertThat(rejected.reason()).isEqualTo(QuarantineReason.WRONG_PATH);
        assertThat(rejected.detail()).contains("does not end with dc-b");
    }

    @Test
    void aPathThatRepeatsANodeOrNamesAnUnknownOneIsRefused() {
        SourceTransaction repeated = tx("dc-a", 1000, "public.accounts", List.of("dc-a", "dc-b", "dc-a", "dc-b"));
        SourceTransaction unknown = tx("dc-a", 1000, "public.accounts", List.of("dc-a", "dc-q", "dc-b"));

        RejectedRecord twice = VALIDATOR.check(TOPIC, 3, headers(repeated), TransactionCodec.encodeBody(repeated)).rejected();
        RejectedRecord stranger = VALIDATOR.check(TOPIC, 4, headers(unknown), TransactionCodec.encodeBody(unknown)).rejected();

        assertThat(twice.reason()).isEqualTo(QuarantineReason.WRONG_PATH);
        assertThat(twice.detail()).contains("twice");
        assertThat(stranger.reason()).isEqualTo(QuarantineReason.WRONG_PATH);
        assertThat(stranger.detail()).contains("dc-q");
    }

    @Test
    void headersThatDisagreeWithTheBodyAreRefused() {
        SourceTransaction tx = tx("dc-a", 1000, "public.accounts", List.of("dc-a", "dc-b"));
        byte[] body = TransactionCodec.encodeBody(tx);

        Headers position = headers(tx);
        position.remove(EventHeaders.POSITION);
        position.add(EventHeaders.POSITION, bytes("999"));
        Headers origin = headers(tx);
        origin.remove(EventHeaders.ORIGIN);
        origin.add(EventHeaders.ORIGIN, bytes("dc-c"));
        Headers path = headers(tx);
        path.remove(EventHeaders.PATH);
        path.add(EventHeaders.PATH, bytes("dc-c,dc-b"));
        Headers format = headers(tx);
        format.remove(EventHeaders.FORMAT);
        format.add(EventHeaders.FORMAT, bytes("1"));

        assertThat(VALIDATOR.check(TOPIC, 1, position, body).rejected().detail()).contains("999", "1000");
        assertThat(VALIDATOR.check(TOPIC, 2, origin, body).rejected().detail()).contains("dc-c", "dc-a");
        RejectedRecord wrongStart = VALIDATOR.check(TOPIC, 3, path, body).rejected();
        assertThat(wrongStart.detail()).contains("starts with dc-c");
        assertThat(wrongStart.origin()).isEqualTo("dc-a");
        assertThat(VALIDATOR.check(TOPIC, 4, format, body).rejected().reason()).isEqualTo(QuarantineReason.HEADER_MISMATCH);
        for (Headers headers : List.of(position, origin, path)) {
            assertThat(VALIDATOR.check(TOPIC, 5, headers, body).rejected().reason()).isEqualTo(QuarantineReason.HEADER_MISMATCH);
        }
    }

    @Test
    void aTableNotReplicatedHereIsRefused() {
        SourceTransaction tx = tx("dc-a", 1000, "public.secrets", List.of("dc-a", "dc-b"));

        RejectedRecord rejected = VALIDATOR.check(TOPIC, 3, headers(tx), TransactionCodec.encodeBody(tx)).rejected();

        assertThat(rejected.reason()).isEqualTo(QuarantineReason.UNKNOWN_TABLE);
        assertThat(rejected.detail()).contains("public.secrets");
    }

    @Test
    void aTableTheNodeMayStillReceiveThroughASchemaChangePassesToTheApplier() {
        // The node admits a table it does not have yet (a peer's schema change may still add it), not one it has unreplicated.
        RecordValidator validator = new RecordValidator("dc-b", Set.of("dc-a", "dc-b", "dc-c"),
                table -> !table.equals("public.secrets"));
        SourceTransaction orders = tx("dc-a", 1000, "public.orders", List.of("dc-a", "dc-b"));
        SourceTransaction secrets = tx("dc-a", 1000, "public.secrets", List.of("dc-a", "dc-b"));

        assertThat(validator.check(TOPIC, 3, headers(orders), TransactionCodec.encodeBody(orders)).accepted()).isNotNull();
        assertThat(validator.check(TOPIC, 4, headers(secrets), TransactionCodec.encodeBody(secrets)).rejected().reason())
                .isEqualTo(QuarantineReason.UNKNOWN_TABLE);
    }

    @Test
    void tablesSynclinePublishesItselfAreAccepted() {
        SourceTransaction tx = new SourceTransaction("dc-a", 1000, 1_000_000L, 42, List.of("dc-a", "dc-b"),
                List.of(new ProgressReport("dc-a", "{}", "{}", false).toRowChange()),
                new ChainLink(new OriginIdentity(7, 1), ChainLink.NONE));

        assertThat(VALIDATOR.check(TOPIC, 3, headers(tx), TransactionCodec.encodeBody(tx)).accepted()).isNotNull();
    }

    @Test
    void aPositionBeyondAnyWalPositionIsRefused() {
        SourceTransaction huge = tx("dc-a", Long.MAX_VALUE, "public.accounts", List.of("dc-a", "dc-b"));
        SourceTransaction largest = tx("dc-a", RecordValidator.MAX_PLAUSIBLE_POSITION, "public.accounts", List.of("dc-a", "dc-b"));

        RejectedRecord rejected = VALIDATOR.check(TOPIC, 3, headers(huge), TransactionCodec.encodeBody(huge)).rejected();

        assertThat(rejected.reason()).isEqualTo(QuarantineReason.IMPLAUSIBLE_POSITION);
        assertThat(rejected.detail()).contains(Long.toString(Long.MAX_VALUE));
        assertThat(VALIDATOR.check(TOPIC, 4, headers(largest), TransactionCodec.encodeBody(largest)).accepted()).isNotNull();
    }

    @Test
    void chunksAreCheckedLikeWholeTransactionsAndKeepOnlyTheirIdentity() {
        SourceTransaction tx = tx("dc-a", 1000, "public.accounts", List.of("dc-a", "dc-b"));
        TransactionChunk first = new TransactionChunk("dc-a", 42, 1_000_000L, tx.chain(), 0, false,
                TransactionChunk.UNKNOWN_POSITION, tx.path(), tx.changes());
        TransactionChunk last = new TransactionChunk("dc-a", 42, 1_000_000L, tx.chain(), 1, true, 1000, tx.path(), tx.changes());

        RecordValidator.Outcome accepted = VALIDATOR.check(TOPIC, 3, chunkHeaders(first), TransactionCodec.encodeChunk(first));
        assertThat(accepted.rejected()).isNull();
        assertThat(accepted.accepted().chunk().changes()).isEmpty();
        assertThat(VALIDATOR.check(TOPIC, 4, chunkHeaders(last), TransactionCodec.encodeChunk(last)).rejected()).isNull();

        RecordHeaders noPosition = chunkHeaders(first);
        RejectedRecord positionMissing = VALIDATOR.check(TOPIC, 5, noPosition, TransactionCodec.encodeChunk(last)).rejected();
        assertThat(positionMissing.reason()).isEqualTo(QuarantineReason.HEADER_MISMATCH);
        TransactionChunk hidden = new TransactionChunk("dc-a", 43, 1_000_000L, tx.chain(), 0, false,
                TransactionChunk.UNKNOWN_POSITION, tx.path(), tx("dc-a", 1000, "it.hidden", tx.path()).changes());
        assertThat(VALIDATOR.check(TOPIC, 6, chunkHeaders(hidden), TransactionCodec.encodeChunk(hidden)).rejected().reason())
                .isEqualTo(QuarantineReason.UNKNOWN_TABLE);
        TransactionChunk stranger = new TransactionChunk("dc-x", 44, 1_000_000L, tx.chain(), 0, false,
                TransactionChunk.UNKNOWN_POSITION, List.of("dc-x", "dc-b"), tx.changes());
        assertThat(VALIDATOR.check(TOPIC, 7, chunkHeaders(stranger), TransactionCodec.encodeChunk(stranger)).rejected().reason())
                .isEqualTo(QuarantineReason.UNKNOWN_ORIGIN);
    }

    /** The headers {@code OutboxPublisher} writes for a chunk: a position on the last one only. */
    private static RecordHeaders chunkHeaders(TransactionChunk chunk) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.ORIGIN, EventHeaders.encodeString(chunk.originNode()));
        headers.add(EventHeaders.PATH, EventHeaders.encodePath(chunk.path()));
        headers.add(EventHeaders.FORMAT, EventHeaders.encodeLong(TransactionCodec.CHUNK_FORMAT_VERSION));
        if (chunk.last()) {
            headers.add(EventHeaders.POSITION, EventHeaders.encodeLong(chunk.originPosition()));
        }
        return headers;
    }

    private static SourceTransaction tx(String origin, long position, String table, List<String> path) {
        RowVersion version = new RowVersion(new RowClock(1L << 16, origin), VersionVector.of(Map.of(origin, 1L)));
        RowChange change = new RowChange(table, Operation.INSERT, Map.of("id", "1"), null, Map.of("id", "1"), Set.of(), version);
        return new SourceTransaction(origin, position, 1_000_000L, 42, path, List.of(change),
                new ChainLink(new OriginIdentity(7, 1), ChainLink.NONE));
    }

    /** The headers {@code OutboxPublisher} writes. */
    private static Headers headers(SourceTransaction tx) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.ORIGIN, EventHeaders.encodeString(tx.originNode()));
        headers.add(EventHeaders.PATH, EventHeaders.encodePath(tx.path()));
        headers.add(EventHeaders.POSITION, EventHeaders.encodeLong(tx.originPosition()));
        headers.add(EventHeaders.FORMAT, EventHeaders.encodeLong(TransactionCodec.FORMAT_VERSION));
        return headers;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
