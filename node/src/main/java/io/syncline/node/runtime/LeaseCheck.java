package io.syncline.node.runtime;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the node's lease as often as heartbeats go out. A node that can no longer show that it
 * holds its lease must stop capturing and applying at once: a standby may already have taken over.
 */
final class LeaseCheck {

    private static final Logger log = LoggerFactory.getLogger(LeaseCheck.class);

    private LeaseCheck() {}

    /**
     * Schedules the check on {@code timer}; {@code fence} runs once, on a thread of its own, when the lease is lost
     * and {@code stillRunning} says the node had not stopped otherwise (it claims the transition).
     */
    static void schedule(ScheduledExecutorService timer, Duration interval, NodeLease lease, String nodeId,
            java.util.function.BooleanSupplier stillRunning, Runnable fence) {
        timer.scheduleWithFixedDelay(() -> {
            if (!lease.verify() && stillRunning.getAsBoolean()) {
                log.error("[{}] lost its lease on {} ({}): stopping capture and apply now, since this process can no"
                        + " longer prove it is the only active node {}; a standby may have taken over. Restart it (with"
                        + " --standby to wait for the lease)", nodeId, lease.where(), lease.lossReason(), nodeId);
                // Off the timer's thread: stopping waits for the timers to end.
                Thread stopper = new Thread(fence, "syncline-fence-" + nodeId);
                stopper.setDaemon(true);
                stopper.start();
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How often a standby tries the lease: a tenth of the failure timeout, 50 ms to 1 s. */
    static Duration standbyPollInterval(Duration failureTimeout) {
        long millis = Math.max(50, Math.min(1000, failureTimeout.toMillis() / 10));
        return Duration.ofMillis(millis);
    }

    /** The killed predecessor's walsender may hold the slot a moment longer than its lease session: waits for it. */
    static void awaitSlotReleased(NodeLease lease, String nodeId, String slot, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (lease.slotActivePid(slot).isPresent()) {
                if (System.nanoTime() > deadline) {
                    log.warn("[{}] replication slot {} is still in use by PostgreSQL backend pid {} after {} s; starting"
                            + " the capture anyway (Debezium retries until the slot is free)", nodeId, slot,
                            lease.slotActivePid(slot).orElse(-1), timeout.toSeconds());
                    return;
                }
                Thread.sleep(50);
            }
        } catch (SQLException e) {
            log.warn("[{}] cannot see whether replication slot {} is free: {}", nodeId, slot, e.getMessage());
        }
    }
}
