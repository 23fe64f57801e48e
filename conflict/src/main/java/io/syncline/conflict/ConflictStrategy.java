package io.syncline.conflict;

import io.syncline.core.spi.Resolution;
import io.syncline.core.spi.RowConflict;

/**
 * One conflict policy as the applier runs it: one implementation per {@code policy} of the
 * YAML ({@link LastWriteWinsStrategy}, {@link OriginPriorityStrategy}, {@link KeepLocalStrategy},
 * {@link KeepRemoteStrategy}, {@link MaxStrategy}, {@link MinStrategy}, {@link DeltaStrategy},
 * {@link ColumnMergeStrategy}, {@link CustomResolverStrategy}), combined per table by
 * {@link TablePolicy}.
 *
 * <p>Both methods see the conflict from one node; the node at the other end sees it
 * {@link RowConflict#mirrored mirrored}. Implementations must give the same row either way round,
 * so that every node reaches the same result on its own (property-tested for the built-in ones).
 * They must be thread-safe and must not block: they run inside the applier's transaction.
 */
public interface ConflictStrategy {

    /** Short name of the rule written to {@code syncline.conflict_log.rule}, e.g. {@code lww}. */
    String ruleName();

    /**
     * Whether every node reaches the same row with this policy. The applier then resolves a conflict
     * over the whole frontier of concurrent versions in a fixed order, so the result depends only on
     * the set of versions, never on the order they arrived in. {@code keep-local} and
     * {@code keep-remote} are not convergent by definition and decide each arrival on its own.
     */
    default boolean convergent() {
        return true;
    }

    /** Decides a conflict as the policy of a whole table. */
    Resolution resolve(RowConflict conflict);

    /**
     * The value of one column when both sides hold a row ({@link io.syncline.core.spi.ConflictType#bothRows()}),
     * as a per-column rule.
     *
     * @return the PostgreSQL text to store, {@code null} for SQL NULL
     */
    String resolveColumn(RowConflict conflict, String column);
}
