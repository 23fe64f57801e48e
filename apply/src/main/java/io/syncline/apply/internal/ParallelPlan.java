package io.syncline.apply.internal;

import io.syncline.core.event.SourceTransaction;
import io.syncline.core.schema.ReplicationSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntUnaryOperator;

/**
 * A batch cut into target transactions for several writers: each with what the target
 * transactions before it will have applied of each origin (they commit in batch order), and the
 * earlier target transaction it waits for before it starts ({@link KeySetScheduler}).
 *
 * @param groups the target transactions, in batch (and commit) order
 */
public record ParallelPlan(List<Group> groups) {

    /**
     * One target transaction of the plan.
     *
     * @param transactions consecutive source transactions of the batch
     * @param expected     what is applied of each origin of the batch when it commits, if the ones before it did
     * @param startAfter   the earlier group whose commit it waits for before it starts, or {@link KeySetScheduler#NONE}
     */
    public record Group(List<SourceTransaction> transactions, Map<String, ChainCheck.Applied> expected, int startAfter) {}

    public ParallelPlan {
        groups = List.copyOf(groups);
    }

    /**
     * Plans {@code batch} against {@code applied}, what this node applied of its origins.
     *
     * @param cut the end (exclusive) of the target transaction that starts at a given index of {@code batch}
     * @return empty when a transaction of the batch breaks its origin's chain: the batch is applied
     *         by one writer, which commits what comes before it and stops there
     */
    public static Optional<ParallelPlan> of(List<SourceTransaction> batch, Map<String, ChainCheck.Applied> applied,
            String localNode, IntUnaryOperator cut) {
        Map<String, ChainCheck.Applied> state = new HashMap<>(applied);
        KeySetScheduler scheduler = new KeySetScheduler();
        List<Group> groups = new ArrayList<>();
        int from = 0;
        while (from < batch.size()) {
            int end = cut.applyAsInt(from);
            List<SourceTransaction> transactions = batch.subList(from, end);
            Map<String, ChainCheck.Applied> expected = Map.copyOf(state);
            for (SourceTransaction transaction : transactions) {
                if (transaction.originNode().equals(localNode) || transaction.hasVisited(localNode)) {
                    continue;
                }
                ChainCheck.Applied before = state.getOrDefault(transaction.originNode(), ChainCheck.Applied.NOTHING);
                ChainCheck.Verdict verdict = ChainCheck.check(before, transaction);
                if (verdict.isBreak()) {
                    return Optional.empty();
                }
                if (verdict.kind() == ChainCheck.Kind.APPLY) {
                    state.put(transaction.originNode(), before.after(transaction));
                }
            }
            groups.add(new Group(transactions, expected, scheduler.admit(transactions)));
            from = end;
        }
        return Optional.of(new ParallelPlan(groups));
    }

    /** What this node applied of each of {@code origins}, read without a lock; absent ones applied nothing. */
    public static Map<String, ChainCheck.Applied> readApplied(Connection connection, Collection<String> origins)
            throws SQLException {
        Map<String, ChainCheck.Applied> applied = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT origin_node, position, origin_system_id,"
                + " origin_epoch, chain_start FROM " + ReplicationSchema.APPLIED_POSITION_TABLE + " WHERE origin_node = ANY (?)")) {
            select.setArray(1, connection.createArrayOf("text", origins.toArray()));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    applied.put(rs.getString(1), ApplyBookkeeping.applied(rs, 2));
                }
            }
        }
        return applied;
    }
}
