package io.syncline.node.cli;

import io.syncline.core.config.NodeConfig;
import io.syncline.node.membership.Departure;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code syncline leave}: takes a node out of the deployment. While the node runs: waits until
 * every peer reports to have applied all the node published before the leave began, then waits
 * for the node to be stopped and drops its slot, publication and replication origins
 * (docs/membership.md). Refuses, changing nothing, when the peers do not catch up in time.
 */
@Command(name = "leave", description = "Take this node out of the deployment: drain what it captured to its peers, then"
        + " drop its replication slot, publication and replication origins.")
final class LeaveCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(LeaveCommand.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration SHOW_EVERY = Duration.ofSeconds(5);

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, description = "The leaving node's YAML config file.")
    Path configFile;

    @Option(names = "--timeout", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long to wait for the peers to catch up, and then for the node to be stopped (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NodeConfig config = ConfigFiles.load(configFile, err);
        if (config == null) {
            return 1;
        }
        String node = config.nodeId();
        List<String> peers = config.topology().nodes().stream().filter(n -> !n.equals(node)).toList();
        try (Connection connection = DriverManager.getConnection(
                config.database().url(), config.database().user(), config.database().password().reveal())) {
            Departure departure = new Departure(node, peers, connection);
            if (departure.state() == Departure.State.LEFT) {
                out.printf("node %s has left already; dropped now: %s%n", node, describe(departure.dropCapture(timeout)));
                return 0;
            }
            if (departure.drainedTo().isEmpty() && !drain(departure, node, out, err)) {
                return 1;
            }
            if (!awaitStopped(departure, node, out, err)) {
                return 1;
            }
            List<String> dropped = departure.dropCapture(timeout);
            log.info("[{}] left the deployment; dropped {}", node, dropped);
            out.printf("node %s left the deployment; dropped %s.%nRemove %s from topology.nodes in every other node's config"
                    + " and restart them one by one: their tombstone collection stops waiting for %s then.%n",
                    node, describe(dropped), node, node);
            return 0;
        } catch (SQLException e) {
            err.println(configFile + ": database " + config.database().url() + ": " + e.getMessage());
            return 1;
        }
    }

    /** Waits until every peer applied what the node published before the leave began; false after a refusal. */
    private boolean drain(Departure departure, String node, PrintWriter out, PrintWriter err)
            throws SQLException, InterruptedException {
        if (!departure.nodeRuns()) {
            log.warn("[{}] leave refused: the node does not run, and the drain needs its capture", node);
            err.printf("refused: node %s does not run, and leave drains what it captured through the running node. Start"
                    + " `syncline run --config %s`, stop the application's writes at %s, then run syncline leave again.%n",
                    node, configFile, node);
            return false;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long floor = departure.beginLeaving();
        out.printf("node %s is leaving: waiting for its capture to publish everything written so far%n", node);
        long target = -1;
        while (target < 0) {
            OptionalLong published = departure.publishedPosition();
            if (published.isPresent() && published.getAsLong() > floor) {
                target = published.getAsLong();
            } else if (System.nanoTime() > deadline) {
                return refuse(departure, err, "the capture of " + node + " has not published past WAL position " + floor
                        + " within " + seconds(timeout) + " (last published: " + (published.isPresent() ? published.getAsLong() : "none")
                        + "). Check `syncline status --config " + configFile + "` for the capture's state, fix it, and run"
                        + " syncline leave again");
            } else {
                Thread.sleep(POLL.toMillis());
            }
        }
        out.printf("waiting until %s applied %s up to position %d%n", String.join(", ", departure.peersApplied().keySet()), node,
                target);
        long nextShow = System.nanoTime() + SHOW_EVERY.toNanos();
        while (true) {
            Map<String, Long> applied = departure.peersApplied();
            final long drainTarget = target;
            Map<String, Long> behind = applied.entrySet().stream().filter(e -> e.getValue() < drainTarget)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
            if (behind.isEmpty()) {
                departure.drained(target);
                out.printf("drained: every peer applied %s up to position %d%n", node, target);
                out.flush();
                return true;
            }
            if (System.nanoTime() > deadline) {
                return refuse(departure, err, "within " + seconds(timeout) + " these peers did not report to have applied " + node
                        + " up to position " + target + ": " + positions(behind) + ". On each, check its link from " + node
                        + " (`syncline status` there: a link in GAP, SCHEMA_MISMATCH or a node down), fix it, and run"
                        + " syncline leave again (with a longer --timeout if they are only slow)");
            }
            if (System.nanoTime() > nextShow) {
                out.printf("still waiting for %s%n", positions(behind));
                out.flush();
                nextShow = System.nanoTime() + SHOW_EVERY.toNanos();
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Waits for the node's process to stop (its lease released); false after saying what to do. */
    private boolean awaitStopped(Departure departure, String node, PrintWriter out, PrintWriter err)
            throws SQLException, InterruptedException {
        if (!departure.nodeRuns()) {
            return true;
        }
        out.printf("stop node %s now (SIGTERM to its syncline run, and its standby if it has one); its slot, publication"
                + " and replication origins are dropped once it stopped (waiting up to %s)%n", node, seconds(timeout));
        out.flush();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (departure.nodeRuns()) {
            if (System.nanoTime() > deadline) {
                log.warn("[{}] drained but still running after {}: its capture was not dropped", node, seconds(timeout));
                err.printf("node %s is drained but still runs after %s: nothing was dropped. Stop it, then run syncline leave"
                        + " again; it drops the capture without draining again.%n", node, seconds(timeout));
                return false;
            }
            Thread.sleep(POLL.toMillis());
        }
        return true;
    }

    private boolean refuse(Departure departure, PrintWriter err, String why) throws SQLException {
        departure.cancel();
        log.warn("[{}] leave refused: {}", departure.nodeId(), why);
        err.println("refused, nothing was dropped and the node stays in the deployment: " + why + ".");
        return false;
    }

    private static String positions(Map<String, Long> applied) {
        return applied.entrySet().stream()
                .map(e -> e.getKey() + (e.getValue() < 0 ? " (no report)" : " at " + e.getValue()))
                .collect(Collectors.joining(", "));
    }

    private static String seconds(Duration duration) {
        return duration.toSeconds() + " s";
    }

    private static String describe(List<String> dropped) {
        return dropped.isEmpty() ? "nothing (already gone)" : String.join(", ", dropped);
    }
}
