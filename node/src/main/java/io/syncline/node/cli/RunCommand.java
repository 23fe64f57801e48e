package io.syncline.node.cli;

import io.syncline.connector.CaptureSetupException;
import io.syncline.core.config.ConfigException;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.NodeConfigLoader;
import io.syncline.node.membership.Departure;
import io.syncline.node.membership.MembershipRecord;
import io.syncline.node.metrics.RecentLag;
import io.syncline.node.monitor.NodeMonitor;
import io.syncline.node.runtime.LeaseHeldException;
import io.syncline.node.runtime.LinkStatus;
import io.syncline.node.runtime.NodeStatus;
import io.syncline.node.runtime.SynclineNode;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code syncline run}: runs one node until it is stopped (SIGTERM or Ctrl-C stop it cleanly). */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run this node: capture local changes, apply remote ones.")
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, required = true, description = "The node's YAML config file.")
    Path configFile;

    @Option(names = "--data-dir", description = "Where the node keeps its local state (capture offsets)."
            + " Default: .syncline/<node id> next to the config file.")
    Path dataDirectory;

    @Option(names = "--standby", description = "Wait while another process runs this node (holds its lease on the"
            + " node's database), and take over when it stops. Without it, a second process of the same node exits at once.")
    boolean standby;

    @Option(names = "--status-interval", defaultValue = "30s", converter = DurationConverter.class,
            description = "How often to log the node's status (default: ${DEFAULT-VALUE}).")
    Duration statusInterval;

    @Override
    public Integer call() throws InterruptedException {
        NodeConfig config;
        try {
            config = NodeConfigLoader.load(configFile);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 1;
        }
        if (refusedByMembership(config)) {
            return 1;
        }
        Path data = dataDirectory != null ? dataDirectory
                : configFile.toAbsolutePath().getParent().resolve(".syncline").resolve(config.nodeId());
        SynclineNode node = new SynclineNode(config, data, Clock.systemUTC());
        AtomicReference<NodeMonitor> monitor = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            NodeMonitor running = monitor.get();
            if (running != null) {
                running.close();
            }
            node.close();
            stopped.countDown();
        }, "syncline-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (standby) {
                node.startStandby();
            } else {
                node.start();
            }
            // After the start: until the capture streams, there is nothing to report but "starting".
            NodeMonitor.start(node, config, Clock.systemUTC()).ifPresent(monitor::set);
        } catch (CaptureSetupException | IllegalStateException | LeaseHeldException e) {
            log.error("[{}] cannot start: {}", config.nodeId(), e.getMessage());
            return 1;
        } catch (IOException e) {
            log.error("{}; set metrics.listen to a free address, or remove it", e.getMessage());
            return 1;
        }
        while (!node.awaitEnd(statusInterval)) {
            logStatus(node);
        }
        if (node.state() == SynclineNode.State.FENCED) {
            log.error("[{}] exiting: the node lost its lease and stopped (see above)", config.nodeId());
            return 3;
        }
        stopped.await();
        return 0;
    }

    /**
     * Whether {@code syncline leave} took this node out of the deployment, or {@code syncline join} has not finished
     * copying into it (said in the log); a database it cannot reach is left to the start.
     */
    private static boolean refusedByMembership(NodeConfig config) {
        try (Connection connection = DriverManager.getConnection(
                config.database().url(), config.database().user(), config.database().password().reveal())) {
            Optional<String> since = Departure.leftSince(connection, config.nodeId());
            since.ifPresent(s -> log.error("[{}] cannot start: the node left the deployment at {} (syncline leave dropped its"
                    + " capture); a node that left joins again as a new node", config.nodeId(), s));
            if (since.isPresent()) {
                return true;
            }
            MembershipRecord membership = MembershipRecord.read(connection, config.nodeId());
            if (MembershipRecord.JOINING.equals(membership.state())) {
                log.error("[{}] cannot start: syncline join has not finished copying {} into this node's database; run"
                        + " syncline join again (it resumes where it stopped), then start the node", config.nodeId(),
                        membership.joinedFrom());
                return true;
            }
            return false;
        } catch (SQLException e) {
            log.debug("[{}] membership not checked, the database is not reachable yet: {}", config.nodeId(), e.getMessage());
            return false;
        }
    }

    /** Per origin {@code dc-b p50 12 ms p99 40 ms}, or that nothing was applied in the window. */
    private static String recentLag(SynclineNode node) {
        List<String> parts = new ArrayList<>();
        node.meters().origins().forEach((origin, lag) -> {
            RecentLag.Snapshot recent = lag.recent();
            if (recent.count() > 0) {
                parts.add(origin + " p50 " + recent.p50Millis() + " ms p99 " + recent.p99Millis() + " ms");
            }
        });
        return parts.isEmpty() ? "none (nothing applied)" : String.join(", ", parts);
    }

    private static void logStatus(SynclineNode node) {
        if (node.capture() == null) {
            log.info("[{}] {}", node.nodeId(), node.state());
            return;
        }
        log.info("[{}] {}; capture {} published {} transaction(s); lag over the last minute {}; {} change(s) parked;"
                + " {} tombstone(s) held until every peer applied past them", node.nodeId(), node.state(),
                node.capture().state(), node.capture().publishedTransactions(), recentLag(node), node.parkedChanges(),
                node.tombstonesHeld());
        NodeStatus status = node.status();
        log.info("[{}] {}{}{}", node.nodeId(), status.routes(), status.down().isEmpty() ? "" : "; down: " + status.down(),
                node.heartbeatWithheld() ? "; heartbeat withheld: a link cannot apply, peers route around this node" : "");
        for (LinkStatus link : status.links()) {
            log.info("[{} <- {}] {} ({}) applied {} txn(s) {} row(s), {} duplicate(s), {} conflict(s), {} parked,"
                    + " {} forwarded{}", node.nodeId(), link.upstream(), link.state(), link.role(), link.appliedTransactions(),
                    link.appliedRows(), link.duplicateTransactions(), link.conflicts(), link.parked(),
                    link.forwardedTransactions(),
                    link.lastError() == null ? "" : "; last error: " + link.lastError());
        }
    }
}
