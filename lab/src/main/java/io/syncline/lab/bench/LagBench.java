package io.syncline.lab.bench;

import io.syncline.lab.demo.LocalCluster;
import io.syncline.lab.demo.SteadyRate;
import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import io.syncline.node.metrics.LagHistogram;
import io.syncline.node.runtime.SynclineNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * Replication lag under a steady load: every node updates rows of its own in small
 * transactions at a fixed total rate; lag is origin commit time (carried in each event) to the
 * destination's apply commit, as the nodes record it, not polled. The load runs for half the
 * duration before the measured part: transactions applied meanwhile are left out, as the start
 * of fresh nodes (connections, first Kafka transactions, the JIT) is not their steady state.
 */
final class LagBench {

    record Result(int nodes, double rowsPerSecond, long p50, long p99, long max, long samples) {}

    private static final int ROWS_PER_TRANSACTION = 10;
    private static final int ROWS_PER_NODE = 10_000;

    private LagBench() {}

    /** @param topology all-to-all, ring or star (hub dc-a) */
    static Result run(List<PostgresServer> databases, List<KafkaCluster> kafka, String topology, double totalRowsPerSecond,
                      Duration duration, Path workDirectory) throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < databases.size(); i++) {
            names.add("dc-" + (char) ('a' + i));
        }
        try (LocalCluster cluster = new LocalCluster(names, topology, databases, kafka, List.of(BenchTable.NAME),
                workDirectory)) {
            for (int i = 0; i < names.size(); i++) {
                BenchTable.create(cluster.database(i));
                BenchTable.preload(cluster.database(i), ROWS_PER_NODE * names.size());
            }
            cluster.initAll();
            cluster.startAll();
            AtomicBoolean running = new AtomicBoolean(true);
            double perNodeTransactionsPerSecond = totalRowsPerSecond / ROWS_PER_TRANSACTION / names.size();
            List<Thread> writers = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                DataSource database = cluster.database(i);
                int firstRow = i * ROWS_PER_NODE + 1;
                Thread writer = new Thread(() -> write(database, firstRow, perNodeTransactionsPerSecond, running),
                        "bench-writer-" + names.get(i));
                writers.add(writer);
                writer.start();
            }
            Thread.sleep(duration.dividedBy(2).toMillis());
            LagHistogram warmUp = allLinks(cluster);
            Thread.sleep(duration.toMillis());
            running.set(false);
            for (Thread writer : writers) {
                writer.join();
            }
            Thread.sleep(2_000);
            LagHistogram lag = allLinks(cluster).since(warmUp);
            return new Result(names.size(), totalRowsPerSecond, lag.percentile(50), lag.percentile(99), lag.maxMillis(),
                    lag.count());
        }
    }

    private static LagHistogram allLinks(LocalCluster cluster) {
        LagHistogram lag = new LagHistogram();
        for (SynclineNode node : cluster.runningNodes()) {
            lag.addAll(node.lag());
        }
        return lag;
    }

    private static void write(DataSource database, int firstRow, double transactionsPerSecond, AtomicBoolean running) {
        SteadyRate rate = new SteadyRate(transactionsPerSecond);
        int offset = 0;
        try (Connection connection = database.getConnection();
                PreparedStatement update = connection.prepareStatement("UPDATE bench.items SET v = v + 1 WHERE id BETWEEN ? AND ?")) {
            while (running.get()) {
                int from = firstRow + offset;
                update.setInt(1, from);
                update.setInt(2, from + ROWS_PER_TRANSACTION - 1);
                update.executeUpdate();
                offset = (offset + ROWS_PER_TRANSACTION) % (ROWS_PER_NODE - ROWS_PER_TRANSACTION);
                rate.awaitNext();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("bench writer failed: " + e.getMessage(), e);
        }
    }
}
