package io.syncline.node.runtime;

import io.syncline.apply.ApplyListener;
import io.syncline.apply.ApplyResult;
import io.syncline.apply.ParkedChange;
import io.syncline.conflict.ResolvedConflict;
import io.syncline.node.metrics.ReplicationMeters;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one link's applier reports, into the node's meters: parked changes and resolved conflicts
 * (counted for the node), its lock waits and the sizes of its target transactions (per link).
 */
final class LinkApplyListener implements ApplyListener {

    private final String upstream;
    private final ReplicationMeters meters;
    private final AtomicLong parkedChanges;

    /** @param parkedChanges the node's count of changes parked since it started, shared by its links */
    LinkApplyListener(String upstream, ReplicationMeters meters, AtomicLong parkedChanges) {
        this.upstream = upstream;
        this.meters = meters;
        this.parkedChanges = parkedChanges;
    }

    @Override
    public void changeParked(ParkedChange parked) {
        parkedChanges.incrementAndGet();
        meters.changeParked();
    }

    @Override
    public void conflictResolved(ResolvedConflict conflict) {
        meters.conflictResolved(conflict);
    }

    @Override
    public void targetTransactionCommitted(ApplyResult result) {
        meters.targetTransactionCommitted(upstream, result.rowsWritten() + result.rowsSkipped());
    }

    @Override
    public void lockWaited(Duration waited) {
        meters.lockWaited(upstream, waited);
    }
}
