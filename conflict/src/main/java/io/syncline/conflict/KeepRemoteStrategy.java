package io.syncline.conflict;

import io.syncline.core.spi.RowConflict;

/**
 * {@code keep-remote}: the incoming version replaces the local one. Deliberately not convergent
 * between two writers (each takes the other's version); meant for tables with one writer per
 * row, or where the latest arrival should win. Stateless and thread-safe.
 */
public final class KeepRemoteStrategy extends SidePickingStrategy {

    public static final KeepRemoteStrategy INSTANCE = new KeepRemoteStrategy();

    @Override
    public String ruleName() {
        return "keep-remote";
    }

    @Override
    public boolean convergent() {
        return false;
    }

    @Override
    boolean localWins(RowConflict conflict) {
        return false;
    }
}
