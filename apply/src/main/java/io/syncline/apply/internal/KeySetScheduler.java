package io.syncline.apply.internal;

import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.schema.ReplicationSchema;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which earlier target transaction of a batch a target transaction must wait for before
 * it starts, from the keys their source transactions write. Two target transactions that write a
 * common key (a row's key, or the old key of a key change) run one after the other, in batch
 * order; two with disjoint key sets may run side by side.
 *
 * <p>Target transactions of a batch commit in batch order ({@code ParallelApply}), so waiting for
 * the commit of the latest earlier target transaction that shares a key means waiting for all of
 * them: one number per target transaction is the whole decision. A target transaction that writes
 * a control table (a schema change, a peer's progress report) is a barrier: it starts after every
 * earlier one committed, and every later one starts after it committed.
 *
 * <p>Not thread-safe: the thread that cuts a batch into target transactions admits them, in order.
 */
public final class KeySetScheduler {

    /** No earlier target transaction to wait for. */
    public static final int NONE = -1;

    private record Key(String table, Map<String, String> key) {}

    private final Map<Key, Integer> lastWriter = new HashMap<>();
    private int barrier = NONE;
    private int next;

    /**
     * Admits the next target transaction of the batch, numbered from 0 in admission order.
     *
     * @return the number of the earlier target transaction whose commit it must wait for before it
     *         starts, or {@link #NONE}
     */
    public int admit(List<SourceTransaction> group) {
        int self = next++;
        if (isBarrier(group)) {
            barrier = self;
            lastWriter.clear();
            return self - 1;
        }
        int after = barrier;
        for (SourceTransaction transaction : group) {
            for (RowChange change : transaction.changes()) {
                after = Math.max(after, claim(new Key(change.table(), change.key()), self));
                if (change.operation() == Operation.UPDATE && change.changesKey()) {
                    after = Math.max(after, claim(new Key(change.table(), change.oldKey()), self));
                }
            }
        }
        return after;
    }

    /** How many target transactions were admitted. */
    public int admitted() {
        return next;
    }

    /** Records {@code self} as the last writer of {@code key}; returns the earlier writer, or {@link #NONE}. */
    private int claim(Key key, int self) {
        Integer previous = lastWriter.put(key, self);
        return previous == null || previous == self ? NONE : previous;
    }

    private static boolean isBarrier(List<SourceTransaction> group) {
        for (SourceTransaction transaction : group) {
            for (RowChange change : transaction.changes()) {
                if (ReplicationSchema.isControlTable(change.table())) {
                    return true;
                }
            }
        }
        return false;
    }
}
