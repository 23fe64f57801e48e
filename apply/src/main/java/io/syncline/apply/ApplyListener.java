package io.syncline.apply;

import io.syncline.conflict.ResolvedConflict;

import java.time.Duration;

/**
 * Receives what a {@link TransactionApplier} did, for metrics. Called on the applier's thread
 * only after the target transaction concerned has committed, so nothing reported is later
 * rolled back. Implementations must be quick and must not throw.
 */
public interface ApplyListener {

    /** A listener that ignores everything. */
    ApplyListener NONE = new ApplyListener() {};

    /** One committed conflict resolution. */
    default void conflictResolved(ResolvedConflict conflict) {}

    /**
     * One row change, or one refused source transaction, parked in {@code syncline.dead_letter} (committed),
     * waiting for {@code syncline conflicts retry}.
     */
    default void changeParked(ParkedChange parked) {}

    /** One committed target transaction and what it contained. */
    default void targetTransactionCommitted(ApplyResult result) {}

    /**
     * A target transaction of several source transactions waited too long for a row lock (or lost
     * a deadlock) and was rolled back, to be applied again in smaller ones.
     *
     * @param waited how long it ran before it gave up, most of it waiting for the lock
     */
    default void lockWaited(Duration waited) {}
}
