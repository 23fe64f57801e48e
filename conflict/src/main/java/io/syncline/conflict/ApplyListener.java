package io.syncline.conflict;

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
}
