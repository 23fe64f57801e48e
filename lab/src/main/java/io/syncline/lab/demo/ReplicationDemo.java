package io.syncline.lab.demo;

import com.zaxxer.hikari.HikariDataSource;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import io.syncline.lab.live.Progress;
import io.syncline.node.metrics.LagHistogram;
import io.syncline.node.runtime.LinkStatus;
import io.syncline.node.runtime.SynclineNode;
import io.syncline.schema.ReplicationSchemaInstaller;
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
                           long clockSkewMillis, long seed, Path workDirectory, DemoPolicy policy) {

        boolean counters() {
            return policy == DemoPolicy.DELTA;
        }

        /** With a skewed clock the demo also checks that no write made after observing another one is lost. */
        boolean causal() {
            return clockSkewMillis != 0;
        }

        List<String> tables() {
            List<String> tables = new ArrayList<>(List.of(DemoWorkload.TABLE));
            if (counters()) {
                tables.add(CounterWorkload.TABLE);
            }
            if (causal()) {
                tables.add(CausalWorkload.TABLE);
            }
            return tables;
        }

        Map<String, String> conflicts() {
            return counters() ? Map.of(CounterWorkload.TABLE, CounterWorkload.CONFLICT) : Map.of();
        }
    }

    private static final Logger log = LoggerFactory.getLogger(ReplicationDemo.class);
    private static final Duration QUIET_TIMEOUT = Duration.ofMinutes(3);

    private final Settings settings;
    private final List<PostgresServer> databases;
    private final List<KafkaCluster> kafka;
    private final Progress progress;

    /**
     * @param databases and {@code kafka}: started servers, one of each per node, in node order
     * @param progress  told of each phase and of the running datacenters
     */
    public ReplicationDemo(Settings settings, List<PostgresServer> databases, List<KafkaCluster> kafka, Progress progress) {
        this.settings = settings;
        this.databases = List.copyOf(databases);
        this.kafka = List.copyOf(kafka);
        this.progress = progress;
    }

    public DemoReport run() throws Exception {
        List<String> names = settings.nodes();
        try (LocalCluster cluster = new LocalCluster(names, settings.topology(), databases, kafka,
                settings.tables(), settings.conflicts(), settings.workDirectory())) {
            progress.phase("preparing the databases (syncline init)", null);
            for (int i = 0; i < names.size(); i++) {
                prepareDatabase(cluster, i, i == names.size() - 1 ? settings.clockSkewMillis() : 0);
            }
            progress.phase("starting the nodes", null);
            cluster.startAll();
            DemoReport report = runWorkloadAndCompare(cluster);
            progress.phase("stopping the nodes", null);
            return report;
        }
    }

    private void prepareDatabase(LocalCluster cluster, int node, long clockSkewMillis) throws SQLException {
        try (Connection connection = cluster.database(node).getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(DemoWorkload.CREATE_TABLE);
            if (settings.counters()) {
                statement.execute(CounterWorkload.CREATE_TABLE);
            }
            if (settings.causal()) {
                statement.execute(CausalWorkload.CREATE_TABLE);
            }
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
        List<CausalWorkload.Write> seeded = seedSharedRows(names, pools);
        AtomicBoolean running = new AtomicBoolean(true);
        List<DemoWorkload> workloads = new ArrayList<>();
        List<CounterWorkload> counterWorkloads = new ArrayList<>();
        List<CausalWorkload> causalWorkloads = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        double rate = settings.transactionsPerSecondPerNode();
        for (int i = 0; i < names.size(); i++) {
            DemoWorkload workload = new DemoWorkload(names.get(i), i, pools.get(i), rate, running, settings.seed() + i);
            workloads.add(workload);
            threads.add(new Thread(workload, "demo-workload-" + names.get(i)));
            if (settings.counters()) {
                CounterWorkload counters = new CounterWorkload(names.get(i), pools.get(i), rate / 2, running,
                        settings.seed() + 1_000 + i);
                counterWorkloads.add(counters);
                threads.add(new Thread(counters, "demo-counters-" + names.get(i)));
            }
            if (settings.causal()) {
                CausalWorkload causal = new CausalWorkload(names.get(i), pools.get(i), rate / 4, running,
                        settings.seed() + 2_000 + i);
                causalWorkloads.add(causal);
                threads.add(new Thread(causal, "demo-causal-" + names.get(i)));
            }
        }
        List<Progress.DataCenter> dataCenters = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            dataCenters.add(new Progress.DataCenter(names.get(i), nodes.get(i), workloads.get(i)::writes));
        }
        progress.running(dataCenters);
        progress.phase("writing", settings.duration());
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
        progress.phase("writes stopped; waiting until replication is quiet", null);
        long drainStarted = System.nanoTime();
        new QuietDetector(names, nodes, pools, cluster.kafkaSettings()).awaitQuiet(QUIET_TIMEOUT);
        long drainMillis = (System.nanoTime() - drainStarted) / 1_000_000;

        progress.phase("comparing every row of every database", null);
        List<Connection> connections = new ArrayList<>();
        try {
            for (HikariDataSource pool : pools) {
                connections.add(pool.getConnection());
            }
            Map<String, String> compared = new java.util.LinkedHashMap<>();
            settings.tables().forEach(table -> compared.put(table, DemoWorkload.KEY_COLUMN));
            ConvergenceCheck.Result comparison = ConvergenceCheck.compare(connections, compared);
            DemoReport.Counters counters = null;
            if (settings.counters()) {
                Map<String, Long> totals = new java.util.LinkedHashMap<>();
                for (int i = 0; i < names.size(); i++) {
                    totals.put(names.get(i), count(connections.get(i), "SELECT coalesce(sum(total), 0) FROM " + CounterWorkload.TABLE));
                }
                counters = new DemoReport.Counters(counterWorkloads.stream().mapToLong(CounterWorkload::committedSum).sum(),
                        counterWorkloads.stream().mapToLong(CounterWorkload::committedIncrements).sum(), totals);
            }
            DemoReport.Causal causal = null;
            if (settings.causal()) {
                List<CausalWorkload.Write> all = new ArrayList<>(seeded);
                causalWorkloads.forEach(w -> all.addAll(w.writes()));
                CausalAudit.Result audit = CausalAudit.audit(all, connections.get(0));
                causal = new DemoReport.Causal(audit.observedWrites(), audit.lostWrites(), audit.examples());
            }
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
                    comparison.examples(), settings.policy().optionName(), counters, causal);
        } finally {
            for (Connection connection : connections) {
                connection.close();
            }
        }
    }

    /**
     * Inserts the rows every datacenter then writes concurrently (counters, causal rows) at the
     * first datacenter and waits until every datacenter has them.
     *
     * @return the seed writes of the causal rows, for {@link CausalAudit}
     */
    private List<CausalWorkload.Write> seedSharedRows(List<String> names, List<HikariDataSource> pools) throws Exception {
        List<CausalWorkload.Write> seeded = new ArrayList<>();
        List<String> checks = new ArrayList<>();
        if (settings.counters()) {
            try (Connection connection = pools.get(0).getConnection(); Statement statement = connection.createStatement()) {
                statement.execute(CounterWorkload.SEED);
            }
            checks.add("SELECT count(*) = " + CounterWorkload.ROWS + " FROM " + CounterWorkload.TABLE);
        }
        if (settings.causal()) {
            seeded.addAll(CausalWorkload.seed(pools.get(0), names.get(0)));
            checks.add("SELECT count(*) = " + CausalWorkload.ROWS + " FROM " + CausalWorkload.TABLE);
        }
        long deadline = System.nanoTime() + QUIET_TIMEOUT.toNanos();
        for (String check : checks) {
            for (HikariDataSource pool : pools) {
                while (true) {
                    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
                            ResultSet rs = statement.executeQuery(check)) {
                        rs.next();
                        if (rs.getBoolean(1)) {
                            break;
                        }
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the shared rows did not replicate in time: " + check);
                    }
                    // Polling interval of a wait with a deadline.
                    java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
        }
        return seeded;
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
