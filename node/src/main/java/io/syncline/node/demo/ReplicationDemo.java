package io.syncline.node.demo;

import com.zaxxer.hikari.HikariDataSource;
import io.syncline.conflict.schema.ReplicationSchemaInstaller;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.node.env.KafkaCluster;
import io.syncline.node.env.PostgresServer;
import io.syncline.node.metrics.LagHistogram;
import io.syncline.node.runtime.LinkStatus;
import io.syncline.node.runtime.SynclineNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication demo: N datacenters, each with its own PostgreSQL, Kafka and Syncline node,
 * a workload writing concurrently everywhere (a share of it on the same rows), then a wait
 * until replication is quiet and a row-by-row comparison of every database.
 */
public final class ReplicationDemo {

    /** What to run. */
    public record Settings(List<String> nodes, String topology, Duration duration, double transactionsPerSecondPerNode,
                           long clockSkewMillis, long seed, Path workDirectory) {}

    private static final Logger log = LoggerFactory.getLogger(ReplicationDemo.class);
    private static final Duration QUIET_TIMEOUT = Duration.ofMinutes(3);

    private final Settings settings;
    private final List<PostgresServer> databases;
    private final List<KafkaCluster> kafka;

    /** @param databases and {@code kafka}: started servers, one of each per node, in node order */
    public ReplicationDemo(Settings settings, List<PostgresServer> databases, List<KafkaCluster> kafka) {
        this.settings = settings;
        this.databases = List.copyOf(databases);
        this.kafka = List.copyOf(kafka);
    }

    public DemoReport run() throws Exception {
        List<String> names = settings.nodes();
        try (LocalCluster cluster = new LocalCluster(names, settings.topology(), databases, kafka,
                List.of(DemoWorkload.TABLE), settings.workDirectory())) {
            for (int i = 0; i < names.size(); i++) {
                prepareDatabase(cluster, i, i == names.size() - 1 ? settings.clockSkewMillis() : 0);
            }
            cluster.startAll();
            return runWorkloadAndCompare(cluster);
        }
    }

    private static void prepareDatabase(LocalCluster cluster, int node, long clockSkewMillis) throws SQLException {
        try (Connection connection = cluster.database(node).getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(DemoWorkload.CREATE_TABLE);
        }
        cluster.init(node);
        if (clockSkewMillis != 0) {
            try (Connection connection = cluster.database(node).getConnection()) {
                ReplicationSchemaInstaller.setClockOffset(connection, clockSkewMillis);
            }
            log.info("[{}] row-version clock moved by {} ms", cluster.names().get(node), clockSkewMillis);
        }
    }

    private DemoReport runWorkloadAndCompare(LocalCluster cluster) throws Exception {
        List<String> names = cluster.names();
        List<SynclineNode> nodes = cluster.runningNodes();
        List<HikariDataSource> pools = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            pools.add(cluster.database(i));
        }
        AtomicBoolean running = new AtomicBoolean(true);
        List<DemoWorkload> workloads = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            DemoWorkload workload = new DemoWorkload(names.get(i), i, pools.get(i), settings.transactionsPerSecondPerNode(),
                    running, settings.seed() + i);
            workloads.add(workload);
            Thread thread = new Thread(workload, "demo-workload-" + names.get(i));
            threads.add(thread);
        }
        log.info("Writing on {} nodes for {} s", names.size(), settings.duration().toSeconds());
        long started = System.nanoTime();
        threads.forEach(Thread::start);
        Thread.sleep(settings.duration().toMillis());
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
        long workloadMillis = (System.nanoTime() - started) / 1_000_000;
        log.info("Writes stopped; waiting until replication is quiet");
        long drainStarted = System.nanoTime();
        new QuietDetector(names, nodes, pools, cluster.kafkaSettings()).awaitQuiet(QUIET_TIMEOUT);
        long drainMillis = (System.nanoTime() - drainStarted) / 1_000_000;

        List<Connection> connections = new ArrayList<>();
        try {
            for (HikariDataSource pool : pools) {
                connections.add(pool.getConnection());
            }
            ConvergenceCheck.Result comparison = ConvergenceCheck.compare(connections,
                    Map.of(DemoWorkload.TABLE, DemoWorkload.KEY_COLUMN));
            long conflicts = 0;
            for (Connection connection : connections) {
                conflicts += count(connection, "SELECT count(*) FROM " + ReplicationSchema.CONFLICT_LOG_TABLE);
            }
            LagHistogram lag = merged(nodes);
            long appliedRows = nodes.stream().flatMap(n -> n.allLinks().stream()).mapToLong(LinkStatus::appliedRows).sum();
            long forwarded = nodes.stream().flatMap(n -> n.allLinks().stream()).mapToLong(LinkStatus::forwardedTransactions).sum();
            long writes = workloads.stream().mapToLong(DemoWorkload::writes).sum();
            double seconds = (workloadMillis + drainMillis) / 1000.0;
            return new DemoReport(comparison.converged(), names.size(), settings.topology(), writes, conflicts,
                    comparison.rowsCompared(), comparison.mismatchedRows(), lag.percentile(50), lag.percentile(99),
                    lag.maxMillis(), appliedRows / seconds, appliedRows, forwarded, workloadMillis, drainMillis,
                    comparison.examples());
        } finally {
            for (Connection connection : connections) {
                connection.close();
            }
        }
    }

    private static LagHistogram merged(List<SynclineNode> nodes) {
        LagHistogram all = new LagHistogram();
        nodes.forEach(node -> all.addAll(node.lag()));
        return all;
    }

    static long count(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
