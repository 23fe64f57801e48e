package io.syncline.lab.bench;

import io.syncline.connector.CaptureCeiling;
import io.syncline.connector.CaptureConfig;
import io.syncline.lab.demo.LocalCluster;
import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import io.syncline.node.runtime.SynclineNode;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The same backlog as {@link NativeReplicationBench}, replicated by Syncline from dc-a to dc-b:
 * both nodes are stopped while the backlog is written (dc-a's slot keeps it), then started,
 * and the clock runs until dc-b has every row.
 */
final class SynclineReplicationBench {

    /**
     * Throughput of one run, and what it cost this JVM (nodes and in-process Kafka brokers).
     *
     * @param debeziumRowsPerSecond Debezium's engine alone on the same slot and backlog ({@link CaptureCeiling})
     */
    record Result(double rowsPerSecond, double captureRowsPerSecond, double debeziumRowsPerSecond, double cpuSecondsPer100kRows) {}

    private SynclineReplicationBench() {}

    static Result run(List<PostgresServer> databases, List<KafkaCluster> kafka, NativeReplicationBench.Kind kind, int rows,
                      int perTransaction, Path workDirectory) throws Exception {
        try (LocalCluster cluster = new LocalCluster(List.of("dc-a", "dc-b"), "all-to-all", databases, kafka,
                List.of(BenchTable.NAME), workDirectory)) {
            for (int i = 0; i < 2; i++) {
                BenchTable.create(cluster.database(i));
                if (kind == NativeReplicationBench.Kind.UPDATES) {
                    BenchTable.preload(cluster.database(i), rows);
                }
            }
            cluster.initAll();
            // A first start creates dc-a's slot, so the backlog written while it is stopped is kept.
            cluster.start(0);
            cluster.stop(0);
            if (kind == NativeReplicationBench.Kind.UPDATES) {
                BenchTable.updateBacklog(cluster.database(0), rows, perTransaction);
            } else {
                BenchTable.insertBacklog(cluster.database(0), rows, perTransaction);
            }
            double debezium = CaptureCeiling.rowChangesPerSecond(captureConfig(cluster, workDirectory), rows, Duration.ofMinutes(15));
            cluster.start(1);
            long cpuBefore = processCpuNanos();
            long started = System.nanoTime();
            SynclineNode origin = cluster.start(0);
            long transactions = (rows + perTransaction - 1) / perTransaction;
            long captured = awaitPublished(origin, transactions);
            long arrived = BenchTable.awaitArrived(cluster.database(1), rows, 900_000);
            long cpu = processCpuNanos() - cpuBefore;
            return new Result(rows / ((arrived - started) / 1e9), rows / ((captured - started) / 1e9), debezium,
                    cpu / 1e9 / rows * 100_000);
        }
    }

    /** dc-a's capture settings, with a data directory of its own so that the node's offsets stay untouched. */
    private static CaptureConfig captureConfig(LocalCluster cluster, Path workDirectory) {
        PostgresServer dcA = cluster.server(0);
        return new CaptureConfig("dc-a", dcA.host(), dcA.port(), dcA.database(), dcA.user(), dcA.password(), List.of(BenchTable.NAME),
                workDirectory.resolve("capture-ceiling"), cluster.kafkaSettings().get("dc-a"));
    }

    /** Waits until the origin's capture has published the whole backlog to Kafka; returns the nanoTime it had. */
    static long awaitPublished(SynclineNode origin, long transactions) throws InterruptedException {
        long deadline = System.nanoTime() + 900_000_000_000L;
        while (origin.capture().publishedTransactions() < transactions) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the capture published only " + origin.capture().publishedTransactions()
                        + " of " + transactions + " transactions");
            }
            Thread.sleep(5);
        }
        return System.nanoTime();
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
