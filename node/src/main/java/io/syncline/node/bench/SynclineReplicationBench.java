package io.syncline.node.bench;

import io.syncline.node.demo.LocalCluster;
import io.syncline.node.env.KafkaCluster;
import io.syncline.node.env.PostgresServer;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * The same backlog as {@link NativeReplicationBench}, replicated by Syncline from dc-a to dc-b:
 * both nodes are stopped while the backlog is written (dc-a's slot keeps it), then started,
 * and the clock runs until dc-b has every row.
 */
final class SynclineReplicationBench {

    /** Throughput of one run, and what it cost this JVM (nodes and in-process Kafka brokers). */
    record Result(double rowsPerSecond, double cpuSecondsPer100kRows) {}

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
            cluster.start(1);
            long cpuBefore = processCpuNanos();
            long started = System.nanoTime();
            cluster.start(0);
            long arrived = BenchTable.awaitArrived(cluster.database(1), rows, 900_000);
            long cpu = processCpuNanos() - cpuBefore;
            return new Result(rows / ((arrived - started) / 1e9), cpu / 1e9 / rows * 100_000);
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
