package io.syncline.conflict;

import io.syncline.core.spi.Resolution;
import io.syncline.core.spi.RowConflict;

/**
 * Base of the policies that keep one side whole, for a row and for a column alike. The stored
 * version then carries the kept side's clock, so that later comparisons see the same writer on
 * every node.
 */
abstract class SidePickingStrategy implements ConflictStrategy {

    /** Whether the local side survives; must be the mirror image of the decision at the other node. */
    abstract boolean localWins(RowConflict conflict);

    @Override
    public Resolution resolve(RowConflict conflict) {
        return localWins(conflict) ? Resolution.keepLocal() : Resolution.takeRemote();
    }

    @Override
    public String resolveColumn(RowConflict conflict, String column) {
        return (localWins(conflict) ? conflict.local() : conflict.remote()).values().get(column);
    }
}
