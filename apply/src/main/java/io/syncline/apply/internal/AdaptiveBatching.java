package io.syncline.apply.internal;

import io.syncline.core.event.ControlRecord;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.SchemaChangeRecord;
import io.syncline.core.event.SourceTransaction;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How one applier cuts a batch of source transactions into target transactions, from the lock
 * waits it meets. A target transaction keeps every row it wrote locked until it commits, so the
 * application waits on those rows for as long as the target transaction lasts. Under lock waits
 * the row limit of a target transaction halves (down to one source transaction), and a source
 * transaction that writes a key met in a lock wait during the last {@code keyMemory} gets a
 * target transaction of its own; after {@code calmPeriod} without a lock wait the limit doubles,
 * back up to {@code maxRows}, so that a backlog without contention keeps its large batches.
 *
 * <p>Only the cut changes: source transactions stay whole and in order, so atomicity, per-origin
 * order and exactly-once are those of any cut. Not thread-safe: one applier thread owns it.
 */
public final class AdaptiveBatching {

    /** Contended keys remembered at most; beyond it the oldest half is forgotten. */
    static final int MAX_CONTENDED_KEYS = 10_000;

    private record Key(String table, Map<String, String> key) {}

    private final int maxRows;
    private final long calmNanos;
    private final long keyMemoryNanos;
    private final LongSupplier nanoTime;
    private final Map<Key, Long> contended = new HashMap<>();
    private int rowLimit;
    private long lastChange;

    /**
     * @param maxRows    the row limit without contention
     * @param calmPeriod how long without a lock wait before the limit doubles
     * @param keyMemory  how long a key met in a lock wait gets target transactions of its own
     * @param nanoTime   a monotonic clock in nanoseconds ({@code System::nanoTime})
     */
    public AdaptiveBatching(int maxRows, Duration calmPeriod, Duration keyMemory, LongSupplier nanoTime) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be at least 1: " + maxRows);
        }
        this.maxRows = maxRows;
        this.calmNanos = calmPeriod.toNanos();
        this.keyMemoryNanos = keyMemory.toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.rowLimit = maxRows;
        this.lastChange = nanoTime.getAsLong();
    }

    /** The most row changes the next target transaction takes (a larger source transaction still gets one whole). */
    public int rowLimit() {
        return rowLimit;
    }

    /**
     * The end (exclusive) of the target transaction that starts at {@code from} in {@code batch}:
     * consecutive source transactions up to {@link #rowLimit()} row changes, at least one; a source
     * transaction that writes a contended key stands alone, and ends the one before it.
     */
    public int nextCut(List<SourceTransaction> batch, int from) {
        return nextCut(batch, from, Integer.MAX_VALUE);
    }

    /** As {@link #nextCut(List, int)}, with at most {@code maxRows} row changes even when the limit is higher. */
    public int nextCut(List<SourceTransaction> batch, int from, int maxRows) {
        if (from >= batch.size()) {
            return from;
        }
        long now = nanoTime.getAsLong();
        // A schema change is alone too: the tables it alters are read again after it.
        if (isContended(batch.get(from), now) || changesSchema(batch.get(from))) {
            return from + 1;
        }
        int rows = batch.get(from).changes().size();
        int end = from + 1;
        while (end < batch.size()) {
            SourceTransaction next = batch.get(end);
            int size = next.changes().size();
            if (rows + size > Math.min(rowLimit, maxRows) || isContended(next, now) || changesSchema(next)) {
                break;
            }
            rows += size;
            end++;
        }
        return end;
    }

    private static boolean changesSchema(SourceTransaction transaction) {
        return ControlRecord.anyOf(transaction, SchemaChangeRecord.class);
    }

    /**
     * A target transaction of {@code rows} row changes was rolled back after a lock wait, met while
     * applying {@code waitedIn} ({@code null} if not known): halves the limit below that size and
     * remembers the keys {@code waitedIn} writes as contended.
     */
    public void lockWaited(SourceTransaction waitedIn, int rows) {
        long now = nanoTime.getAsLong();
        rowLimit = Math.max(1, Math.min(rowLimit, rows) / 2);
        lastChange = now;
        if (waitedIn == null) {
            return;
        }
        if (contended.size() >= MAX_CONTENDED_KEYS) {
            forgetOldest(now);
        }
        for (RowChange change : waitedIn.changes()) {
            contended.put(new Key(change.table(), change.key()), now);
        }
    }

    /**
     * A target transaction of {@code group} committed after {@code elapsed}: after a calm period the
     * limit doubles, up to the maximum. A contended source transaction alone in its target
     * transaction waits for its locks without a bound, so no lock wait ends it; when it took longer
     * than {@code slow}, most likely waiting for the application, its keys stay contended and the
     * calm period starts again: the application is still writing them.
     *
     * <p>Only lock waits cut target transactions: a budget on how long a grouped target transaction
     * that met the application's writes may hold them (tried at 50 ms) kept the application faster
     * but made the applier fall seconds behind, in the demo as well (docs/hot-rows.md).
     */
    public void committed(List<SourceTransaction> group, Duration elapsed, Duration slow) {
        long now = nanoTime.getAsLong();
        if (group.size() == 1 && elapsed.compareTo(slow) > 0 && isContended(group.get(0), now)) {
            for (RowChange change : group.get(0).changes()) {
                contended.put(new Key(change.table(), change.key()), now);
            }
            lastChange = now;
            return;
        }
        if (rowLimit < maxRows && now - lastChange >= calmNanos) {
            rowLimit = (int) Math.min(maxRows, 2L * rowLimit);
            lastChange = now;
        }
    }

    /** Whether {@code transaction} writes a key met in a lock wait within the key memory. */
    public boolean isContended(SourceTransaction transaction) {
        return isContended(transaction, nanoTime.getAsLong());
    }

    private boolean isContended(SourceTransaction transaction, long now) {
        if (contended.isEmpty()) {
            return false;
        }
        for (RowChange change : transaction.changes()) {
            Long waited = contended.get(new Key(change.table(), change.key()));
            if (waited != null) {
                if (now - waited < keyMemoryNanos) {
                    return true;
                }
                contended.remove(new Key(change.table(), change.key()));
            }
        }
        return false;
    }

    /** Drops the expired keys, and if that is not enough the older half. */
    private void forgetOldest(long now) {
        contended.values().removeIf(waited -> now - waited >= keyMemoryNanos);
        if (contended.size() >= MAX_CONTENDED_KEYS) {
            long[] times = contended.values().stream().mapToLong(Long::longValue).sorted().toArray();
            long median = times[times.length / 2];
            contended.values().removeIf(waited -> waited <= median);
        }
    }
}
