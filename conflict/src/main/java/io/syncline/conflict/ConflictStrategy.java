package io.syncline.conflict;

/**
 * A conflict resolution policy as the applier runs it: picks the surviving side of a conflict.
 * One implementation per policy ({@link LastWriteWinsStrategy}, ...); a user's
 * {@code io.syncline.core.spi.ConflictResolver} is to be adapted to this interface. The decision must depend only on the
 * {@link Conflict} so that every node, resolving the same pair of versions on its own, picks the
 * same winner.
 *
 * <p>Implementations must be stateless or thread-safe; they are called inside the applier's
 * database transaction and must not block.
 */
public interface ConflictStrategy {

    /** Short name of the rule written to {@code syncline.conflict_log.rule}, e.g. {@code lww}. */
    String ruleName();

    Winner resolve(Conflict conflict);
}
