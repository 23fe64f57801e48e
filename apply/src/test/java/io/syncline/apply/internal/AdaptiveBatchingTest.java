package io.syncline.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.VersionVector;
import io.syncline.core.schema.ReplicationSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdaptiveBatchingTest {

    private static final RowVersion VERSION = new RowVersion(new RowClock(1, "dc-a"), VersionVector.of(Map.of("dc-a", 1L)));
    private static final Duration CALM = Duration.ofSeconds(1);
    private static final Duration MEMORY = Duration.ofSeconds(10);
    private static final Duration SLOW = Duration.ofMillis(20);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AdaptiveBatching batching = new AdaptiveBatching(100, CALM, MEMORY, now::get);

    @Test
    void withoutLockWaitsTargetTransactionsFillUpToTheRowLimit() {
        List<SourceTransaction> batch = transactions(30, 4, "private");

        assertThat(cuts(batch)).containsExactly(25, 5);
    }

    @Test
    void aSourceTransactionLargerThanTheLimitStandsAloneAndWhole() {
        List<SourceTransaction> batch = List.of(transaction(1, 3, "a"), transaction(2, 150, "b"), transaction(3, 3, "c"));

        assertThat(cuts(batch)).containsExactly(1, 1, 1);
    }

    @Test
    void aSchemaChangeGetsATargetTransactionOfItsOwn() {
        RowChange control = new RowChange(ReplicationSchema.SCHEMA_CHANGE_TABLE, Operation.INSERT,
                Map.of("origin_node", "dc-a", "id", "1"), null, Map.of("statements", "[]"), null, RowVersion.INITIAL);
        SourceTransaction schemaChange = new SourceTransaction("dc-a", 3, 0, 3, List.of("dc-a"), List.of(control));
        List<SourceTransaction> batch = List.of(transaction(1, 3, "a"), transaction(2, 3, "b"), schemaChange,
                transaction(4, 3, "c"));

        assertThat(cuts(batch)).containsExactly(2, 1, 1);
    }

    @Test
    void aLockWaitHalvesTheLimitBelowTheSizeOfTheTargetTransactionThatWaited() {
        batching.lockWaited(null, 40);
        assertThat(batching.rowLimit()).isEqualTo(20);

        batching.lockWaited(null, 200);
        assertThat(batching.rowLimit()).isEqualTo(10);

        for (int i = 0; i < 10; i++) {
            batching.lockWaited(null, 2);
        }
        assertThat(batching.rowLimit()).isEqualTo(1);
    }

    @Test
    void transactionsWritingAContendedKeyGetTargetTransactionsOfTheirOwn() {
        SourceTransaction hot = transaction(1, 1, "shared");
        batching.lockWaited(hot, 100);
        List<SourceTransaction> batch = new ArrayList<>(transactions(3, 1, "private"));
        batch.add(1, transaction(9, 1, "shared"));

        // private-0 | shared | private-1, private-2
        assertThat(cuts(batch)).containsExactly(1, 1, 2);
    }

    @Test
    void aContendedKeyIsForgottenAfterTheKeyMemory() {
        SourceTransaction hot = transaction(1, 1, "shared");
        batching.lockWaited(hot, 100);
        assertThat(batching.isContended(hot)).isTrue();

        now.addAndGet(MEMORY.toNanos());

        assertThat(batching.isContended(hot)).isFalse();
    }

    @Test
    void theLimitDoublesAfterEachCalmPeriodBackToTheMaximum() {
        batching.lockWaited(null, 8);
        assertThat(batching.rowLimit()).isEqualTo(4);

        batching.committed(List.of(transaction(99, 1, "other")), Duration.ZERO, SLOW);
        assertThat(batching.rowLimit()).as("no growth within the calm period").isEqualTo(4);

        List<Integer> limits = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            now.addAndGet(CALM.toNanos());
            batching.committed(List.of(transaction(99, 1, "other")), Duration.ZERO, SLOW);
            limits.add(batching.rowLimit());
        }
        assertThat(limits).containsExactly(8, 16, 32, 64, 100, 100, 100);
    }

    @Test
    void aLockWaitRestartsTheCalmPeriod() {
        batching.lockWaited(null, 8);
        now.addAndGet(CALM.toNanos() - 1);
        batching.lockWaited(null, 8);
        now.addAndGet(CALM.toNanos() - 1);

        batching.committed(List.of(transaction(99, 1, "other")), Duration.ZERO, SLOW);

        assertThat(batching.rowLimit()).isEqualTo(2);
    }

    @Test
    void aSlowContendedTransactionAloneKeepsItsKeysContendedAndTheLimitLow() {
        SourceTransaction hot = transaction(1, 1, "shared");
        batching.lockWaited(hot, 8);
        now.addAndGet(MEMORY.toNanos() - 1);

        batching.committed(List.of(transaction(2, 1, "shared")), Duration.ofMillis(50), SLOW);
        now.addAndGet(MEMORY.toNanos() - 1);

        assertThat(batching.isContended(hot)).isTrue();
        assertThat(batching.rowLimit()).isEqualTo(4);
    }

    @Test
    void aQuickContendedTransactionAloneLetsTheContentionPass() {
        SourceTransaction hot = transaction(1, 1, "shared");
        batching.lockWaited(hot, 8);
        now.addAndGet(MEMORY.toNanos() - 1);

        batching.committed(List.of(transaction(2, 1, "shared")), Duration.ofMillis(5), SLOW);
        now.addAndGet(1);

        assertThat(batching.isContended(hot)).isFalse();
        assertThat(batching.rowLimit()).isEqualTo(8);
    }

    @Test
    void aLongTargetTransactionWithoutALockWaitKeepsTheLimit() {
        List<SourceTransaction> group = transactions(10, 4, "shared");

        batching.committed(group, Duration.ofMillis(80), SLOW);

        assertThat(batching.rowLimit()).isEqualTo(100);
    }

    @Test
    void everyCutProgressesAndKeepsTheBatchInOrder() {
        batching.lockWaited(transaction(0, 1, "private"), 100);
        List<SourceTransaction> batch = transactions(7, 3, "private");

        int from = 0;
        List<SourceTransaction> seen = new ArrayList<>();
        while (from < batch.size()) {
            int end = batching.nextCut(batch, from);
            assertThat(end).isGreaterThan(from);
            seen.addAll(batch.subList(from, end));
            from = end;
        }
        assertThat(seen).isEqualTo(batch);
        assertThat(batching.nextCut(List.of(), 0)).isZero();
    }

    private List<Integer> cuts(List<SourceTransaction> batch) {
        List<Integer> sizes = new ArrayList<>();
        int from = 0;
        while (from < batch.size()) {
            int end = batching.nextCut(batch, from);
            sizes.add(end - from);
            from = end;
        }
        return sizes;
    }

    /** {@code count} transactions of {@code rows} rows each, on keys of their own: prefix-i-r. */
    private static List<SourceTransaction> transactions(int count, int rows, String prefix) {
        List<SourceTransaction> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(transaction(i, rows, prefix + "-" + i));
        }
        return batch;
    }

    private static SourceTransaction transaction(long position, int rows, String keyPrefix) {
        List<RowChange> changes = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            changes.add(new RowChange("public.item", Operation.UPDATE, Map.of("id", keyPrefix + "-" + r), null,
                    Map.of("id", keyPrefix + "-" + r), null, VERSION));
        }
        return new SourceTransaction("dc-a", position, 0, position, List.of("dc-a"), changes);
    }
}
