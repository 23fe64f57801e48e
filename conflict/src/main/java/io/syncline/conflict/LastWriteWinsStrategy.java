package io.syncline.conflict;

import io.syncline.core.spi.RowConflict;

/**
 * {@code lww}: the version with the greater {@link io.syncline.core.event.RowClock} (hybrid
 * logical clock, then node id) survives. A total order on versions, so deterministic, commutative
 * and associative. Stateless and thread-safe.
 */
public final class LastWriteWinsStrategy extends SidePickingStrategy {

    public static final LastWriteWinsStrategy INSTANCE = new LastWriteWinsStrategy();

    @Override
    public String ruleName() {
        return "lww";
    }

    @Override
    boolean localWins(RowConflict conflict) {
        return !conflict.remote().version().clock().isAfter(conflict.local().version().clock());
    }
}
