package io.syncline.conflict;

/**
 * A conflict resolution policy: picks the surviving side of a conflict. One implementation per
 * policy ({@link LastWriteWinsResolver}, ...). The decision must depend only on the
 * {@link Conflict} so that every node, resolving the same pair of versions on its own, picks the
 * same winner.
 *
 * <p>Implementations must be stateless or thread-safe; they are called inside the applier's
 * database transaction and must not block.
 */
public interface ConflictResolver {

    /** Short name of the rule written to {@code syncline.conflict_log.rule}, e.g. {@code lww}. */
    String ruleName();

    Winner resolve(Conflict conflict);
}
