package io.syncline.node.runtime;

import io.syncline.core.error.FailureKind;
import io.syncline.core.error.SqlStates;
import io.syncline.schema.gc.TombstoneCollector;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the node's tombstone collection cycle by cycle and says what matters: tombstones collected,
 * how many are held, whether {@code syncline leave} takes this node out, and a failure that repeats
 * (once at WARN, not every cycle). Thread-safe: one timer thread calls {@link #runOnce}.
 */
final class TombstoneCollection {

    private static final Logger log = LoggerFactory.getLogger(TombstoneCollection.class);

    private final String nodeId;
    private final TombstoneCollector collector;
    private final Duration interval;
    private final AtomicLong held = new AtomicLong();
    private final AtomicBoolean leaving = new AtomicBoolean();
    /** The permanent failure last logged at WARN, so that it is not repeated every cycle. */
    private String failure;

    TombstoneCollection(String nodeId, TombstoneCollector collector, Duration interval) {
        this.nodeId = nodeId;
        this.collector = collector;
        this.interval = interval;
    }

    /** One cycle; never throws, so that a failed cycle does not end the schedule. */
    void runOnce() {
        try {
            TombstoneCollector.Cycle cycle = collector.runOnce();
            held.set(cycle.pending());
            if (failure != null) {
                log.info("[{}] tombstone collection works again", nodeId);
                failure = null;
            }
            if (leaving.getAndSet(cycle.leaving()) != cycle.leaving()) {
                if (cycle.leaving()) {
                    log.warn("[{}] this node is leaving the deployment (syncline leave): it waits for its peers to apply what it"
                            + " captured; stop the application's writes here, and stop the node when syncline leave says so",
                            nodeId);
                } else {
                    log.info("[{}] this node no longer leaves the deployment (syncline leave gave up)", nodeId);
                }
            }
            if (cycle.collected() > 0) {
                log.info("[{}] collected {} tombstone(s) every peer has applied past; {} held", nodeId, cycle.collected(),
                        cycle.pending());
            }
        } catch (java.sql.SQLException | RuntimeException e) {
            // A concurrent apply (serialization failure) or a database outage passes: the next cycle tries again.
            // Anything else (a missing table, a refused privilege) fails every cycle while tombstones pile up: say so.
            boolean passing = SqlStates.firstIn(e).flatMap(SqlStates::kindOf).orElse(FailureKind.PERMANENT)
                    == FailureKind.RETRIABLE;
            if (passing || e.toString().equals(failure)) {
                log.debug("[{}] tombstone collection cycle failed: {}", nodeId, e.toString());
            } else {
                log.warn("[{}] tombstone collection fails: {}; tombstones are kept until it works again (tried every {} s)",
                        nodeId, e.toString(), interval.toSeconds());
                failure = e.toString();
            }
        }
    }

    /** Tombstones held in the local database at the last cycle. */
    long held() {
        return held.get();
    }

    /** Whether {@code syncline leave} is taking this node out, as seen at the last cycle. */
    boolean leaving() {
        return leaving.get();
    }
}
