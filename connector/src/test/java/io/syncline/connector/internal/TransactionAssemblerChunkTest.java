package io.syncline.connector.internal;

import static io.syncline.connector.internal.Events.begin;
import static io.syncline.connector.internal.Events.end;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.event.RowChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class TransactionAssemblerChunkTest {

    private final TransactionAssembler assembler = new TransactionAssembler(Events.NODE, Events.TX_TOPIC,
            new ChangeConverter(Events.NODE, Map.of("public.t", List.of("id")), ChangeConverter.DEFAULT_UNAVAILABLE_PLACEHOLDER),
            new TransactionAssembler.ChunkLimits(3, 1_000_000));
    private final List<TransactionAssembler.Chunk> chunks = new ArrayList<>();

    private static SourceRecord insert(long txId, long id) {
        Struct key = Events.row(Map.of("id", Schema.INT64_SCHEMA), Map.of("id", id));
        Struct after = Events.versioned(Map.of("id", Schema.INT64_SCHEMA), Map.of("id", id), 1L << 16, "dc-a", "{\"dc-a\": 1}");
        return Events.change("public.t", "c", key, after, txId, null);
    }

    private Optional<TransactionAssembler.Completed> feed(SourceRecord record) {
        Optional<TransactionAssembler.Completed> completed = assembler.accept(record);
        assembler.fullChunk().ifPresent(chunks::add);
        return completed;
    }

    private TransactionAssembler.Completed transaction(long txId, int rows, long commitLsn) {
        feed(begin(txId, commitLsn - 10));
        for (int i = 0; i < rows; i++) {
            assertThat(feed(insert(txId, i))).isEmpty();
        }
        return feed(end(txId, commitLsn)).orElseThrow();
    }

    private static List<String> ids(List<RowChange> changes) {
        return changes.stream().map(c -> c.key().get("id")).toList();
    }

    @Test
    void aTransactionWithinTheLimitsStaysWhole() {
        TransactionAssembler.Completed done = transaction(1, 3, 100);

        assertThat(chunks).isEmpty();
        assertThat(done.chunked()).isFalse();
        assertThat(done.lastChunk()).isEmpty();
        assertThat(done.transaction().orElseThrow().changes()).hasSize(3);
    }

    @Test
    void aLargerTransactionLeavesInChunksAsItStreamsAndEndsWithTheRowsStillHeld() {
        feed(begin(2, 190));
        for (int i = 0; i < 8; i++) {
            feed(insert(2, i));
            // Never more than one chunk's rows held, whatever the transaction's size.
            assertThat(chunks).hasSize(i / 3);
        }
        TransactionAssembler.Completed done = feed(end(2, 200)).orElseThrow();

        assertThat(chunks).extracting(TransactionAssembler.Chunk::index).containsExactly(0, 1);
        assertThat(ids(chunks.get(0).changes())).containsExactly("0", "1", "2");
        assertThat(ids(chunks.get(1).changes())).containsExactly("3", "4", "5");
        assertThat(done.chunked()).isTrue();
        assertThat(done.transaction()).isEmpty();
        assertThat(done.position()).isEqualTo(200);
        TransactionAssembler.Chunk last = done.lastChunk().orElseThrow();
        assertThat(last.index()).isEqualTo(2);
        assertThat(ids(last.changes())).containsExactly("6", "7");
        assertThat(chunks).allSatisfy(c -> assertThat(c.commitTimeMicros()).isEqualTo(last.commitTimeMicros()));
        assertThat(assembler.idle()).isTrue();
    }

    @Test
    void theLastChunkIsNeverEmpty() {
        TransactionAssembler.Completed done = transaction(3, 6, 300);

        assertThat(chunks).hasSize(1);
        assertThat(done.lastChunk().orElseThrow().index()).isEqualTo(1);
        assertThat(ids(done.lastChunk().orElseThrow().changes())).containsExactly("3", "4", "5");
    }

    @Test
    void chunksAreCutByBytesToo() {
        TransactionAssembler byBytes = new TransactionAssembler(Events.NODE, Events.TX_TOPIC,
                new ChangeConverter(Events.NODE, Map.of("public.t", List.of("id")), ChangeConverter.DEFAULT_UNAVAILABLE_PLACEHOLDER),
                new TransactionAssembler.ChunkLimits(1_000, 150));
        int released = 0;
        byBytes.accept(begin(4, 390));
        for (int i = 0; i < 10; i++) {
            byBytes.accept(insert(4, i));
            released += byBytes.fullChunk().isPresent() ? 1 : 0;
        }
        TransactionAssembler.Completed done = byBytes.accept(end(4, 400)).orElseThrow();

        assertThat(released).isGreaterThan(1);
        assertThat(done.chunked()).isTrue();
        assertThat(done.lastChunk().orElseThrow().index()).isEqualTo(released);
    }

    @Test
    void theTwoHalvesOfAPrimaryKeyChangeStayInOneChunk() {
        feed(begin(6, 590));
        feed(insert(6, 0));
        feed(insert(6, 1));
        feed(insert(6, 2));
        // The insert half of a key change from 2 to 12 (its delete half is the tombstone the capture sent before it).
        Struct oldKey = Events.row(Map.of("id", Schema.INT64_SCHEMA), Map.of("id", 2L));
        SourceRecord moved = insert(6, 12);
        moved.headers().add("__debezium.oldkey", oldKey, oldKey.schema());
        feed(moved);
        feed(insert(6, 3));
        TransactionAssembler.Completed done = feed(end(6, 600)).orElseThrow();

        // The chunk is full before the insert half arrives; it is cut after it instead.
        assertThat(chunks).hasSize(1);
        assertThat(ids(chunks.get(0).changes())).containsExactly("0", "1", "2", "12");
        assertThat(ids(done.lastChunk().orElseThrow().changes())).containsExactly("3");
    }

    @Test
    void aChunkedTransactionOfTheApplierIsDroppedAndSaysItWasChunked() {
        feed(begin(5, 490));
        for (int i = 0; i < 5; i++) {
            feed(insert(5, i));
        }
        feed(Events.change("public.t", "c", Events.row(Map.of("id", Schema.INT64_SCHEMA), Map.of("id", 9L)),
                Events.versioned(Map.of("id", Schema.INT64_SCHEMA), Map.of("id", 9L), 1L << 16, "dc-a", "{\"dc-a\": 1}"), 5,
                "syncline_from_dc_b"));
        TransactionAssembler.Completed done = feed(end(5, 500)).orElseThrow();

        assertThat(chunks).hasSize(1);
        assertThat(done.chunked()).isTrue();
        assertThat(done.lastChunk()).isEmpty();
        assertThat(done.droppedBecause()).isEqualTo(DropReason.WRITTEN_BY_APPLIER);
    }
}
