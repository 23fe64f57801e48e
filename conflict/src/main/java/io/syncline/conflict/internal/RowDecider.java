package io.syncline.conflict.internal;

import io.syncline.conflict.Conflict;
import io.syncline.conflict.ConflictStrategy;
import io.syncline.conflict.ConflictType;
import io.syncline.conflict.Winner;
import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.VersionVector;
import java.util.Map;

/**
 * Conflict detection for one row: compares the remote change's version vector with the local
 * version (DDIA ch. 5, "Detecting concurrent writes") and hands concurrent pairs to the
 * {@link ConflictStrategy}. Pure: no I/O; stateless and thread-safe.
 *
 * <ul>
 *   <li>no local version: apply the remote change with its version;
 *   <li>remote AFTER local: a causally later change, apply it with its version;
 *   <li>remote BEFORE or EQUAL local: already applied or superseded, skip;
 *   <li>CONCURRENT: a conflict. The surviving side's clock is kept and both sides store the
 *       merged vector, so the two nodes end with the same values, clock and vector.
 * </ul>
 */
public final class RowDecider {

    private final ConflictStrategy strategy;

    public RowDecider(ConflictStrategy strategy) {
        this.strategy = strategy;
    }

    public String ruleName() {
        return strategy.ruleName();
    }

    /**
     * @param table the schema-qualified table
     * @param key   the key the change applies to (for a key change: the new key)
     */
    public RowPlan decide(String table, Map<String, String> key, LocalState local, RowChange remote) {
        RowVersion remoteVersion = remote.version();
        if (local.kind() == LocalState.Kind.NONE) {
            return new RowPlan(writeAction(local, remote.operation()), remoteVersion, null, null);
        }
        VersionVector.Order order = remoteVersion.vector().compareTo(local.version().vector());
        switch (order) {
            case AFTER:
                return new RowPlan(writeAction(local, remote.operation()), remoteVersion, null, null);
            case BEFORE:
            case EQUAL:
                return RowPlan.SKIP;
            default:
                break;
        }
        ConflictType type = conflictType(local.kind(), remote.operation());
        Winner winner = strategy.resolve(new Conflict(table, key, type, local.version(), local.values(), remote));
        VersionVector merged = local.version().vector().merge(remoteVersion.vector());
        if (winner == Winner.REMOTE) {
            return new RowPlan(writeAction(local, remote.operation()), new RowVersion(remoteVersion.clock(), merged), type, winner);
        }
        return new RowPlan(RowPlan.Action.KEEP_LOCAL_MERGE_VECTOR, new RowVersion(local.version().clock(), merged), type, winner);
    }

    static ConflictType conflictType(LocalState.Kind local, Operation remote) {
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
