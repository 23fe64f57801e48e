package io.syncline.conflict;

import io.syncline.core.spi.RowConflict;

/**
 * {@code keep-local}: each node keeps its own version of a conflicting row. Deliberately not
 * convergent: the nodes of a conflict keep different values (for node-local data such as "last
 * seen here"). Both sides still store the merged version vector, so the next write anywhere
 * replaces the row everywhere. Stateless and thread-safe.
 */
public final class KeepLocalStrategy extends SidePickingStrategy {

    public static final KeepLocalStrategy INSTANCE = new KeepLocalStrategy();

    @Override
    public String ruleName() {
        return "keep-local";
    }

    @Override
    public boolean convergent() {
        return false;
    }

    @Override
    boolean localWins(RowConflict conflict) {
        return true;
    }
}
