package io.syncline.conflict;

/**
 * Last write wins: the version with the greater {@link io.syncline.core.event.RowClock} (hybrid
 * logical clock, then node id) survives. Deterministic across nodes. Stateless and thread-safe.
 */
public final class LastWriteWinsStrategy implements ConflictStrategy {

    public static final LastWriteWinsStrategy INSTANCE = new LastWriteWinsStrategy();

    @Override
    public String ruleName() {
        return "lww";
    }

    @Override
    public Winner resolve(Conflict conflict) {
        return conflict.remoteVersion().clock().isAfter(conflict.localVersion().clock()) ? Winner.REMOTE : Winner.LOCAL;
    }
}
