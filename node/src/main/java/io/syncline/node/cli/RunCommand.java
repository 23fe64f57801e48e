package io.syncline.node.cli;

import io.syncline.connector.CaptureSetupException;
import io.syncline.core.config.ConfigException;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.NodeConfigLoader;
import io.syncline.node.runtime.LinkStatus;
import io.syncline.node.runtime.NodeStatus;
import io.syncline.node.runtime.SynclineNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
        Path data = dataDirectory != null ? dataDirectory
                : configFile.toAbsolutePath().getParent().resolve(".syncline").resolve(config.nodeId());
        SynclineNode node = new SynclineNode(config, data, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "syncline-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            node.start();
        } catch (CaptureSetupException | IllegalStateException e) {
            log.error("[{}] cannot start: {}", config.nodeId(), e.getMessage());
            return 1;
        }
        while (!stopped.await(statusInterval.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            logStatus(node);
        }
        return 0;
    }

    private static void logStatus(SynclineNode node) {
        log.info("[{}] capture {} published {} transaction(s); lag p50 {} ms p99 {} ms; {} change(s) parked;"
                + " {} tombstone(s) held until every peer applied past them", node.nodeId(),
                node.capture().state(), node.capture().publishedTransactions(), node.lag().percentile(50),
                node.lag().percentile(99), node.parkedChanges(), node.tombstonesHeld());
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
