package io.syncline.node.runtime;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's links, each on a thread of its own: the configured ones and those around dead nodes
 * that the {@link Rerouter} starts and stops. Keeps the status of every link that ever ran, so that
 * counts survive a link's stop. Thread-safe.
 */
final class RunningLinks {

    /** Builds the link from {@code upstream}, reporting into {@code status}. */
    interface Factory {
        ReplicationLink create(String upstream, LinkStatus status);
    }

    private static final Logger log = LoggerFactory.getLogger(RunningLinks.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    private static final Duration STOP_ALL_WAIT = Duration.ofSeconds(10);

    private record Running(ReplicationLink link, Thread thread) {}

    private final String nodeId;
    private final Factory factory;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final Map<String, LinkStatus> statuses = new LinkedHashMap<>();

    RunningLinks(String nodeId, Factory factory) {
        this.nodeId = nodeId;
        this.factory = factory;
    }

    /** Starts the link from {@code upstream}; {@code standsInFor} names the dead nodes it reads around (empty: configured). */
    synchronized void start(String upstream, Set<String> standsInFor) {
        LinkStatus status = statuses.computeIfAbsent(upstream, LinkStatus::new);
        status.standsInFor(standsInFor);
        ReplicationLink link = factory.create(upstream, status);
        Thread thread = new Thread(link, "syncline-link-" + nodeId + "-from-" + upstream);
        thread.setDaemon(true);
        running.put(upstream, new Running(link, thread));
        thread.start();
        if (!standsInFor.isEmpty()) {
            log.info("[{}] started the link from {} {}", nodeId, upstream, status.role());
        }
    }

    /** Stops the link from {@code upstream} and waits for it, so that a quick restart never runs beside a finishing one. */
    void stop(String upstream) {
        Running link;
        synchronized (this) {
            link = running.remove(upstream);
        }
        if (link == null) {
            return;
        }
        link.link().stop();
        try {
            link.thread().join(STOP_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (link.thread().isAlive()) {
            log.warn("[{}] the link from {} did not stop within {} s", nodeId, upstream, STOP_WAIT.toSeconds());
        }
        synchronized (this) {
            statuses.get(upstream).standsInFor(Set.of());
        }
        log.info("[{}] stopped the link from {}", nodeId, upstream);
    }

    /** Stops every link at once, then waits for each a while. */
    void stopAll() {
        List<Running> toStop;
        synchronized (this) {
            toStop = List.copyOf(running.values());
            running.clear();
        }
        toStop.forEach(link -> link.link().stop());
        for (Running link : toStop) {
            try {
                link.thread().join(STOP_ALL_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The links running now. */
    synchronized List<LinkStatus> running() {
        return running.keySet().stream().map(statuses::get).toList();
    }

    /** Every link that ran since the node started, stopped ones included. */
    synchronized List<LinkStatus> all() {
        return List.copyOf(statuses.values());
    }

    /** The status of the link from {@code upstream}, or null if none ran. */
    synchronized LinkStatus status(String upstream) {
        return statuses.get(upstream);
    }

    /** The upstreams of configured links that stopped applying (FAILED or SCHEMA_MISMATCH). */
    synchronized List<String> stuck() {
        return running.keySet().stream().map(statuses::get)
                .filter(link -> link.standsInFor().isEmpty())
                .filter(link -> link.state() == LinkStatus.State.FAILED || link.state() == LinkStatus.State.SCHEMA_MISMATCH)
                .map(LinkStatus::upstream).toList();
    }
}
