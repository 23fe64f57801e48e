package io.syncline.conflict;

import io.syncline.core.event.ColumnDot;
import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowMetadata;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.VersionVector;
import io.syncline.core.spi.ConflictType;
import io.syncline.core.spi.Resolution;
import io.syncline.core.spi.RowConflict;
import io.syncline.core.spi.RowState;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides what an incoming row change does to the local state of its key. Pure: no I/O;
 * thread-safe.
 *
 * <ul>
 *   <li>no local version: apply the remote change with its version (an update is logged as
 *       {@link ConflictType#UPDATE_MISSING}: it overtook the insert it follows);
 *   <li>remote AFTER local: a causally later change, apply it with its version and metadata;
 *   <li>remote BEFORE or EQUAL local: already applied or superseded, skip;
 *   <li>CONCURRENT: a conflict, resolved by the table's {@link TablePolicy}.
 * </ul>
 *
 * <p><b>Why a frontier.</b> Resolving "local row + one arriving version" pair by pair does not
 * converge for value-merging policies: if dc-b writes 8 and then 0, a node that merged the 8 with
 * {@code max} keeps it after the 0 arrives, while dc-b itself never sees 8 again (found by
 * {@code ConvergenceTest}). So a conflicted row keeps its frontier: the concurrent versions it was
 * resolved from, at most one per node (a node's later version supersedes its earlier one). An
 * arriving version replaces the frontier versions it supersedes and joins the others; the row is
 * then resolved again from the whole frontier, folded pairwise in clock order. The result depends
 * only on the set of versions, so every node reaches the same row, version and metadata whatever
 * the delivery order. A local write has seen the whole frontier and collapses it (the row trigger
 * clears it). Non-convergent policies ({@code keep-local}, {@code keep-remote}) decide each arrival
 * on its own.
 *
 * <p>A resolution keeps the clock of the version it keeps whole, or the greater clock for a merged
 * row or a decided delete; the version vector is the entry-wise maximum; metadata is merged
 * (counters node by node, each column's dot from the side its value came from).
 */
public final class RowDecider {

    /** The rule name logged for an update that arrived before its row. */
    public static final String MISSING_ROW_RULE = "apply";

    private static final Comparator<RowState> CLOCK_ORDER = Comparator.comparing(s -> s.version().clock());

    private final ConflictPolicies policies;
    private final String localNode;

    public RowDecider(ConflictPolicies policies, String localNode) {
        this.policies = Objects.requireNonNull(policies, "policies");
        this.localNode = Objects.requireNonNull(localNode, "localNode");
    }

    public String ruleName(String table) {
        return policies.forTable(table).ruleName();
    }

    /**
     * @param table       the schema-qualified table
     * @param columnTypes the table's user columns -> type, in table order
     * @param key         the key the change applies to (for a key change: the new key)
     * @param originNode  the origin of the transaction that carries the change
     * @throws io.syncline.conflict.ResolverFailedException when a custom resolver fails
     */
    public RowPlan decide(String table, Map<String, String> columnTypes, Map<String, String> key, LocalState local,
            RowChange remote, String originNode) {
        return decide(table, columnTypes, key, local, remote, originNode, false);
    }

    /**
     * @param keyChange whether {@code remote} is the delete of the old key of a primary-key change: a conflict
     *                  it meets is logged as {@link ConflictType#KEY_CHANGE} (and resolved as the delete it is)
     */
    public RowPlan decide(String table, Map<String, String> columnTypes, Map<String, String> key, LocalState local,
            RowChange remote, String originNode, boolean keyChange) {
        RowVersion remoteVersion = remote.version();
        if (local.kind() == LocalState.Kind.NONE) {
            // A key change's new key is new here by design; any other update should have found its row.
            if (remote.operation() == Operation.UPDATE && !remote.changesKey()) {
                return new RowPlan(RowPlan.Action.UPSERT_ROW, remoteVersion, ConflictType.UPDATE_MISSING, Winner.REMOTE,
                        null, remote.metadata(), MISSING_ROW_RULE, List.of());
            }
            return RowPlan.write(writeAction(local, remote.operation()), remoteVersion, remote.metadata());
        }
        VersionVector.Order order = remoteVersion.vector().compareTo(local.version().vector());
        switch (order) {
            case AFTER:
                return RowPlan.write(writeAction(local, remote.operation()), remoteVersion, remote.metadata());
            case BEFORE:
            case EQUAL:
                return RowPlan.SKIP;
            default:
                break;
        }
        ConflictType type = keyChange && remote.operation() == Operation.DELETE
                ? ConflictType.KEY_CHANGE : conflictType(local.kind(), remote.operation());
        RowState localState = local.asRowState();
        RowState remoteState = remoteState(remote, localState);
        TablePolicy policy = policies.forTable(table);
        String rule = policy.ruleName();
        VersionVector merged = local.version().vector().merge(remoteVersion.vector());

        if (!policy.convergent()) {
            RowState result = resolvePair(policy, table, key, columnTypes, originNode, type, localState, remoteState);
            if (result == localState) {
                return new RowPlan(RowPlan.Action.KEEP_LOCAL, new RowVersion(local.version().clock(), merged), type,
                        Winner.LOCAL, null, local.metadata(), rule, List.of());
            }
            return plan(local, localState, remoteState, new RowState(new RowVersion(result.version().clock(), merged),
                    result.values(), result.metadata()), type, rule, List.of());
        }

        List<RowState> frontier = new ArrayList<>();
        for (RowState version : local.frontierOrSelf()) {
            if (remoteVersion.vector().compareTo(version.version().vector()) != VersionVector.Order.AFTER) {
                frontier.add(version);
            }
        }
        frontier.add(remoteState);
        frontier.sort(CLOCK_ORDER);
        RowState result = frontier.get(0);
        for (int i = 1; i < frontier.size(); i++) {
            RowState next = frontier.get(i);
            result = resolvePair(policy, table, key, columnTypes, originNode, pairType(type, result, next), result, next);
        }
        result = new RowState(new RowVersion(result.version().clock(), merged), result.values(), result.metadata());
        return plan(local, localState, remoteState, result, type, rule, frontier.size() > 1 ? frontier : List.of());
    }

    /** Writes {@code result} over the local state; the outcome names the side it equals, if one. */
    private static RowPlan plan(LocalState local, RowState localState, RowState remoteState, RowState result,
            ConflictType type, String rule, List<RowState> frontier) {
        if (!result.exists()) {
            Winner winner;
            if (localState.exists() && remoteState.exists()) {
                winner = Winner.DELETED;
            } else if (localState.exists() || remoteState.exists()) {
                winner = localState.exists() ? Winner.REMOTE : Winner.LOCAL;
            } else {
                winner = result.version().clock().equals(localState.version().clock()) ? Winner.LOCAL : Winner.REMOTE;
            }
            RowPlan.Action action = local.kind() == LocalState.Kind.ROW ? RowPlan.Action.DELETE_ROW
                    : result.version().clock().equals(local.version().clock()) ? RowPlan.Action.KEEP_LOCAL
                    : RowPlan.Action.WRITE_TOMBSTONE;
            return new RowPlan(action, result.version(), type, winner, null, RowMetadata.EMPTY, rule, frontier);
        }
        Winner winner = localState.exists() && result.values().equals(localState.values()) ? Winner.LOCAL
                : remoteState.exists() && result.values().equals(remoteState.values()) ? Winner.REMOTE
                : Winner.MERGED;
        boolean unchanged = winner == Winner.LOCAL && local.kind() == LocalState.Kind.ROW
                && result.version().clock().equals(local.version().clock());
        return new RowPlan(unchanged ? RowPlan.Action.KEEP_LOCAL : RowPlan.Action.UPSERT_ROW, result.version(), type, winner,
                unchanged ? null : result.values(), result.metadata(), rule, frontier);
    }

    /** The conflict type of one step of the fold, named like the conflict itself when the sides' kinds match it. */
    private static ConflictType pairType(ConflictType conflict, RowState local, RowState remote) {
        if (local.exists() && remote.exists()) {
            return conflict.bothRows() ? conflict : ConflictType.UPDATE_UPDATE;
        }
        if (local.exists()) {
            return ConflictType.UPDATE_DELETE;
        }
        return remote.exists() ? ConflictType.DELETE_UPDATE : ConflictType.DELETE_DELETE;
    }

    /** One pairwise resolution: the version it keeps whole (the same object), or a merged row or a delete. */
    private RowState resolvePair(TablePolicy policy, String table, Map<String, String> key, Map<String, String> columnTypes,
            String originNode, ConflictType type, RowState local, RowState remote) {
        RowConflict conflict = new RowConflict(table, key, type, localNode, originNode, local, remote, columnTypes);
        Resolution resolution = policy.resolve(conflict);
        VersionVector merged = local.version().vector().merge(remote.version().vector());
        RowClock later = remote.version().clock().isAfter(local.version().clock()) ? remote.version().clock() : local.version().clock();
        return switch (resolution.kind()) {
            case KEEP_LOCAL -> local;
            case TAKE_REMOTE -> remote;
            case DELETE -> RowState.deleted(new RowVersion(later, merged));
            case MERGED -> {
                Map<String, String> values = new LinkedHashMap<>(local.exists() ? local.values() : remote.values());
                values.putAll(resolution.values());
                yield new RowState(new RowVersion(later, merged), values, mergedMetadata(local, remote, values));
            }
        };
    }

    /** The remote side, with the local values of the columns an update did not send (unchanged TOASTed values). */
    private static RowState remoteState(RowChange remote, RowState local) {
        if (remote.operation() == Operation.DELETE) {
            return RowState.deleted(remote.version());
        }
        if (remote.unchangedColumns().isEmpty()) {
            return new RowState(remote.version(), remote.values(), remote.metadata());
        }
        Map<String, String> values = new LinkedHashMap<>(remote.values());
        for (String column : remote.unchangedColumns()) {
            values.put(column, local.exists() ? local.values().get(column) : null);
        }
        return new RowState(remote.version(), values, remote.metadata());
    }

    /**
     * Metadata of a merged row: counters merged node by node; each column's dot from the side whose
     * value the column kept, or the later dot when the value is both sides' or neither's.
     */
    static RowMetadata mergedMetadata(RowState local, RowState remote, Map<String, String> values) {
        TreeSet<String> counterColumns = new TreeSet<>(local.metadata().counters().keySet());
        counterColumns.addAll(remote.metadata().counters().keySet());
        Map<String, Map<String, BigDecimal>> counters = new TreeMap<>();
        for (String column : counterColumns) {
            counters.put(column, Counters.merge(local, remote, column));
        }
        TreeSet<String> dotColumns = new TreeSet<>(local.metadata().columnDots().keySet());
        dotColumns.addAll(remote.metadata().columnDots().keySet());
        Map<String, ColumnDot> dots = new TreeMap<>();
        for (String column : dotColumns) {
            ColumnDot localDot = local.metadata().columnDots().get(column);
            ColumnDot remoteDot = remote.metadata().columnDots().get(column);
            String value = values.get(column);
            boolean fromLocal = local.exists() && Objects.equals(value, local.values().get(column));
            boolean fromRemote = remote.exists() && Objects.equals(value, remote.values().get(column));
            ColumnDot dot;
            if (fromLocal && !fromRemote && localDot != null) {
                dot = localDot;
            } else if (fromRemote && !fromLocal && remoteDot != null) {
                dot = remoteDot;
            } else if (localDot == null || remoteDot == null) {
                dot = localDot == null ? remoteDot : localDot;
            } else {
                dot = localDot.compareTo(remoteDot) >= 0 ? localDot : remoteDot;
            }
            dots.put(column, dot);
        }
        return new RowMetadata(counters, dots);
    }

    public static ConflictType conflictType(LocalState.Kind local, Operation remote) {
        if (local == LocalState.Kind.TOMBSTONE) {
            return remote == Operation.DELETE ? ConflictType.DELETE_DELETE : ConflictType.DELETE_UPDATE;
        }
        return switch (remote) {
            case INSERT -> ConflictType.INSERT_INSERT;
            case UPDATE -> ConflictType.UPDATE_UPDATE;
            case DELETE -> ConflictType.UPDATE_DELETE;
        };
    }

    private static RowPlan.Action writeAction(LocalState local, Operation remote) {
        if (remote != Operation.DELETE) {
            return RowPlan.Action.UPSERT_ROW;
        }
        return local.kind() == LocalState.Kind.ROW ? RowPlan.Action.DELETE_ROW : RowPlan.Action.WRITE_TOMBSTONE;
    }
}
