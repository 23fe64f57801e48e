package io.syncline.node.monitor;

import io.syncline.connector.LocalCapture;
import io.syncline.node.membership.MembershipRecord;
import io.syncline.node.runtime.SynclineNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /livez} and {@code /readyz}. Live: the node runs and its monitoring loop keeps sampling
 * (nothing outside the process is asked, so a dead database never restarts the node). Ready: its
 * database and its own Kafka answered in the latest sample and the capture streams.
 */
final class Readiness {

    /**
     * A sample older than this counts as a stalled monitoring loop. Generous: one sample waits up to
     * {@link NodeSampler#TIMEOUT} for each system that does not answer (the database, every Kafka), and
     * a node must not be restarted because its peers' clusters are down.
     */
    static final Duration STALE = Duration.ofMinutes(1);

    private Readiness() {}

    /** Why the node is not live; empty when it is. */
    static List<String> livenessProblems(SynclineNode node, NodeSample sample, Clock clock) {
        List<String> problems = new ArrayList<>();
        if (node.state() != SynclineNode.State.RUNNING) {
            problems.add("the node is " + node.state());
        }
        Duration age = Duration.between(sample.at(), clock.instant());
        if (age.compareTo(STALE) > 0) {
            problems.add("the monitoring loop has not sampled for " + age.toSeconds() + " s");
        }
        return problems;
    }

    /** Why the node is not ready; empty when it is. */
    static List<String> problems(SynclineNode node, NodeSample sample, Clock clock) {
        List<String> problems = new ArrayList<>(livenessProblems(node, sample, clock));
        problems.addAll(sample.problems());
        if (node.leaving()) {
            problems.add("the node is leaving the deployment (syncline leave): stop the application's writes here");
        }
        if (!node.membership().equals(MembershipRecord.ACTIVE)) {
            problems.add("the node is catching up after syncline join (" + node.membership() + "): let the application write"
                    + " here once it is active");
        }
        LocalCapture capture = node.capture();
        if (capture == null) {
            problems.add("the capture has not started");
        } else if (capture.state() != LocalCapture.State.RUNNING) {
            problems.add("the capture is " + capture.state()
                    + capture.failure().map(f -> ": " + f.getMessage()).orElse(""));
        }
        return problems;
    }
}
