package io.syncline.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.syncline.core.event.ChainLink;
import io.syncline.core.event.ColumnDot;
import io.syncline.core.event.Operation;
import io.syncline.core.event.OriginIdentity;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowMetadata;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.VersionVector;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransactionCodecTest {

    private static final RowVersion VERSION =
            new RowVersion(new RowClock(123_456_789L << 16 | 3, "dc-a"), VersionVector.of(Map.of("dc-a", 4L, "dc-b", 2L)));

    @Test
    void everyFieldSurvivesARoundTrip() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("id", "7");
        values.put("note", null);
        values.put("body", "ünïcödé \u0000-free text with, commas");
        values.put("amount", "12345678901234567890.000000001");
        SourceTransaction tx = new SourceTransaction("dc-a", 0x1_0000_0000L, 1_700_000_000_123_456L, 4_000_000_000L,
                List.of("dc-a"), List.of(
                        new RowChange("public.accounts", Operation.INSERT, Map.of("id", "7"), null, values, Set.of(), VERSION),
                        new RowChange("public.accounts", Operation.UPDATE, Map.of("id", "8"), Map.of("id", "7"),
                                Map.of("id", "8"), Set.of("body"), VERSION),
                        new RowChange("public.counters", Operation.UPDATE, Map.of("id", "9"), null, Map.of("hits", "5.50"),
                                Set.of(), VERSION, new RowMetadata(
                                        Map.of("hits", Map.of("dc-a", new BigDecimal("7.50"), "dc-b", new BigDecimal("-2.00"))),
                                        Map.of("hits", new ColumnDot("dc-a", 4, 99L << 16)))),
                        new RowChange("public.other", Operation.DELETE, Map.of("k", "x"), null, null, null, RowVersion.INITIAL)),
                new ChainLink(new OriginIdentity(-7_312_345_678_901_234_567L, 3), 0xFFFF_FFFFL));

        SourceTransaction decoded = TransactionCodec.decode(TransactionCodec.encodeBody(tx), List.of("dc-a"));

        assertThat(decoded).isEqualTo(tx);
        assertThat(decoded.chain().identity().systemIdentifier()).isEqualTo(-7_312_345_678_901_234_567L);
        assertThat(decoded.changes().get(0).values()).containsEntry("note", null);
        assertThat(decoded.changes().get(1).changesKey()).isTrue();
        assertThat(decoded.changes().get(2).metadata().countersOf("hits").get("dc-a")).hasToString("7.50");
    }

    @Test
    void repeatedNamesAreWrittenOnce() {
        RowChange row = new RowChange("public.accounts_with_a_long_name", Operation.UPDATE,
                Map.of("account_identifier", "1"), null, Map.of("account_identifier", "1"), Set.of(), VERSION);
        byte[] one = TransactionCodec.encodeBody(tx(List.of(row)));
        byte[] hundred = TransactionCodec.encodeBody(tx(java.util.Collections.nCopies(100, row)));

        int perExtraRow = (hundred.length - one.length) / 99;
        assertThat(perExtraRow).isLessThan(30);
    }

    @Test
    void randomTransactionsRoundTrip() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 500; i++) {
            SourceTransaction tx = randomTransaction(random);
            assertThat(TransactionCodec.decode(TransactionCodec.encodeBody(tx), tx.path()))
                    .as("seed %d, case %d", seed, i)
                    .isEqualTo(tx);
        }
    }

    @Test
    void theOriginIsReadWithoutTheRestOfTheBody() {
        byte[] body = TransactionCodec.encodeBody(tx(List.of(change())));

        assertThat(TransactionCodec.origin(Arrays.copyOf(body, 8))).isEqualTo("dc-a");
        assertThatThrownBy(() -> TransactionCodec.origin(Arrays.copyOf(body, 3))).isInstanceOf(MalformedEventException.class);
        assertThatThrownBy(() -> TransactionCodec.origin(Arrays.copyOf(body, 1)))
                .isInstanceOf(MalformedEventException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> TransactionCodec.origin(new byte[] {'X', 2, 1, 'a'}))
                .isInstanceOf(MalformedEventException.class).hasMessageContaining("magic");
    }

    @Test
    void firstTransactionOfAChainRoundTrips() {
        SourceTransaction first = tx(List.of(change())).withChain(new ChainLink(new OriginIdentity(1, 1), ChainLink.NONE));
        SourceTransaction decoded = TransactionCodec.decode(TransactionCodec.encodeBody(first), List.of("dc-a"));
        assertThat(decoded.chain().first()).isTrue();
        assertThat(decoded).isEqualTo(first);
    }

    @Test
    void aBodyOfFormatOneIsReadWithoutChainOrTypes() {
        // Format 1 is format 2 without the chain flag (magic, version, "dc-a" as length + 4 bytes, position,
        // time and txid of 1 byte each, then the flag) and without the type count that ends each change.
        byte[] current = TransactionCodec.encodeBody(tx(List.of(change())));
        int flag = 2 + 5 + 3;
        assertThat(current[flag]).isZero();
        assertThat(current[current.length - 1]).isZero();
        byte[] formatOne = new byte[current.length - 2];
        System.arraycopy(current, 0, formatOne, 0, flag);
        System.arraycopy(current, flag + 1, formatOne, flag, current.length - flag - 2);
        formatOne[1] = TransactionCodec.OLDEST_READABLE_VERSION;

        SourceTransaction decoded = TransactionCodec.decode(formatOne, List.of("dc-a"));

        assertThat(decoded.chain()).isNull();
        assertThat(decoded).isEqualTo(tx(List.of(change())));
    }

    @Test
    void unknownFormatVersionIsRejectedWithAClearMessage() {
        byte[] body = TransactionCodec.encodeBody(tx(List.of(change())));
        body[1] = 9;
        assertThatThrownBy(() -> TransactionCodec.decode(body, List.of("dc-a")))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("version 9");
    }

    @Test
    void theOriginsColumnTypesSurviveARoundTrip() {
        Map<String, String> types = new LinkedHashMap<>();
        types.put("id", RowChange.columnType("int4", 10, 0));
        types.put("price", RowChange.columnType("numeric", 10, 2));
        types.put("label", RowChange.columnType("varchar", 20, 0));
        RowChange typed = new RowChange("public.t", Operation.INSERT, Map.of("id", "1"), null,
                Map.of("id", "1", "price", "1.50", "label", "x"), Set.of(), VERSION, RowMetadata.EMPTY, types);
        SourceTransaction tx = tx(List.of(typed, typed));

        SourceTransaction decoded = TransactionCodec.decode(TransactionCodec.encodeBody(tx), List.of("dc-a"));

        assertThat(decoded.changes().get(1).columnTypes()).containsExactly(Map.entry("id", "INT4(10,0)"),
                Map.entry("price", "NUMERIC(10,2)"), Map.entry("label", "VARCHAR(20,0)"));
        assertThat(decoded).isEqualTo(tx);
    }

    @Test
    void truncatedBodyIsRejected() {
        byte[] body = TransactionCodec.encodeBody(tx(List.of(change())));
        for (int length = 0; length < body.length; length++) {
            byte[] cut = Arrays.copyOf(body, length);
            assertThatThrownBy(() -> TransactionCodec.decode(cut, List.of("dc-a")))
                    .as("cut at %d", length)
                    .isInstanceOf(MalformedEventException.class);
        }
    }

    @Test
    void pathHeaderRoundTrips() {
        assertThat(EventHeaders.decodePath(EventHeaders.encodePath(List.of("dc-a", "dc-b")))).containsExactly("dc-a", "dc-b");
    }

    private static RowChange change() {
        return new RowChange("public.t", Operation.INSERT, Map.of("id", "1"), null, Map.of("id", "1"), Set.of(), VERSION);
    }

    private static SourceTransaction tx(List<RowChange> changes) {
        return new SourceTransaction("dc-a", 42, 1, 1, List.of("dc-a"), changes);
    }

    private static SourceTransaction randomTransaction(Random random) {
        int rows = 1 + random.nextInt(20);
        List<RowChange> changes = new java.util.ArrayList<>();
        for (int r = 0; r < rows; r++) {
            Operation op = Operation.values()[random.nextInt(3)];
            Map<String, String> values = new LinkedHashMap<>();
            if (op != Operation.DELETE) {
                int columns = random.nextInt(6);
                for (int c = 0; c < columns; c++) {
                    values.put("c" + random.nextInt(10), random.nextBoolean() ? null : randomText(random));
                }
            }
            Map<String, Long> vector = new LinkedHashMap<>();
            for (int n = random.nextInt(4); n > 0; n--) {
                vector.put("dc-" + (char) ('a' + random.nextInt(5)), 1 + (random.nextLong() >>> 1));
            }
            RowVersion version = new RowVersion(new RowClock(random.nextLong() >>> 1, "dc-" + random.nextInt(3)),
                    VersionVector.of(vector));
            changes.add(new RowChange("s" + random.nextInt(3) + ".t", op, Map.of("id", randomText(random)),
                    random.nextInt(5) == 0 ? Map.of("id", randomText(random)) : null, values,
                    random.nextBoolean() ? Set.of("c1") : Set.of(), version, randomMetadata(random)));
        }
        List<String> path = random.nextBoolean() ? List.of("dc-o") : List.of("dc-o", "dc-x");
        long position = random.nextLong() >>> 1;
        ChainLink chain = random.nextBoolean() ? null
                : new ChainLink(new OriginIdentity(random.nextLong(), 1 + random.nextInt(5)),
                        random.nextBoolean() ? ChainLink.NONE : random.nextLong(Math.max(1, position)));
        return new SourceTransaction("dc-o", position, random.nextLong() >>> 1, random.nextInt(1 << 30), path, changes, chain);
    }

    private static RowMetadata randomMetadata(Random random) {
        if (random.nextBoolean()) {
            return RowMetadata.EMPTY;
        }
        Map<String, Map<String, BigDecimal>> counters = new LinkedHashMap<>();
        for (int c = random.nextInt(3); c > 0; c--) {
            Map<String, BigDecimal> shares = new LinkedHashMap<>();
            for (int n = random.nextInt(4); n > 0; n--) {
                shares.put("dc-" + random.nextInt(4), BigDecimal.valueOf(random.nextLong(), random.nextInt(6)));
            }
            counters.put("c" + random.nextInt(10), shares);
        }
        Map<String, ColumnDot> dots = new LinkedHashMap<>();
        for (int c = random.nextInt(4); c > 0; c--) {
            dots.put("c" + random.nextInt(10), new ColumnDot("dc-" + random.nextInt(4), 1 + random.nextInt(1000), random.nextLong() >>> 1));
        }
        return new RowMetadata(counters, dots);
    }

    private static String randomText(Random random) {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            s.appendCodePoint(random.nextInt(5) == 0 ? 0x1F600 + random.nextInt(50) : 'a' + random.nextInt(26));
        }
        return s.toString();
    }
}
