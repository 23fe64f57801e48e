package io.syncline.node.runtime;

import io.syncline.connector.HeartbeatPublisher;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the node's heartbeat while every configured link applies. A link that stopped (FAILED) or
 * waits for the local schema (SCHEMA_MISMATCH) no longer reads its upstream's outbox, so it forwards
 * nothing either: the nodes behind this one would starve. Withholding the heartbeat makes the peers
 * treat this node as down and read around it (a ring closes around it, {@link Rerouter}), while they
 * keep reading this node's own outbox; beating resumes once the link applies again.
 */
final class HeartbeatLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatLoop.class);

    private final String nodeId;
    private final HeartbeatPublisher heartbeat;
    private final Supplier<List<String>> stuckLinks;
    private final Clock clock;
    private final AtomicBoolean withheld = new AtomicBoolean();

    /** @param stuckLinks the upstreams of configured links that cannot apply now */
    HeartbeatLoop(String nodeId, HeartbeatPublisher heartbeat, Supplier<List<String>> stuckLinks, Clock clock) {
        this.nodeId = nodeId;
        this.heartbeat = heartbeat;
        this.stuckLinks = stuckLinks;
        this.clock = clock;
    }

    /** Creates the topic if it can, sends the first beat now and the next ones every {@code interval} on {@code timer}. */
    void start(ScheduledExecutorService timer, Duration interval) throws InterruptedException {
        try {
            heartbeat.ensureTopic();
        } catch (ExecutionException e) {
            // Not fatal: the first beat creates the topic if the broker allows it; until then peers see silence.
            log.warn("[{}] could not create the heartbeat topic: {}", nodeId, e.getCause() == null ? e : e.getCause());
        }
        heartbeat.beat(clock.millis());
        timer.scheduleAtFixedRate(this::beatWhileApplying, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void beatWhileApplying() {
        List<String> stuck = stuckLinks.get();
        if (stuck.isEmpty()) {
            if (withheld.compareAndSet(true, false)) {
                log.info("[{}] every link applies again; sending heartbeats again", nodeId);
            }
            heartbeat.beat(clock.millis());
        } else if (withheld.compareAndSet(false, true)) {
            log.warn("[{}] the link(s) from {} cannot apply: withholding heartbeats, so that peers route around this node"
                    + " until it applies again (see the link's state and last error)", nodeId, stuck);
        }
    }

    /** Whether the heartbeat is withheld now because a configured link cannot apply. */
    boolean withheld() {
        return withheld.get();
    }

    @Override
    public void close() {
        heartbeat.close();
    }
}
