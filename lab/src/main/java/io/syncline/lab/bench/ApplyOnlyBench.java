package io.syncline.lab.bench;

import io.syncline.lab.demo.LocalCluster;
import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import io.syncline.node.runtime.SynclineNode;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * How fast one node catches up on a backlog already in Kafka ({@code apply_only}): dc-a's node
 * publishes the whole backlog while dc-b's node is stopped, then dc-b's node starts and the clock
 * runs from when it streams until it has every row. Only dc-b's apply is measured: reading Kafka,
 * deciding, writing. The yardstick is PostgreSQL's own subscriber applying the same backlog
 * ({@link NativeReplicationBench}), measured in the same run.
 */
final class ApplyOnlyBench {

    /**
     * One shape's figures.
     *
     * @param nativeRowsPerSecond    native logical replication applying the backlog
     * @param oneWriterRowsPerSecond dc-b's node with {@code apply.writers: 1}
     * @param writers                the default {@code apply.writers} of this machine
     * @param rowsPerSecond          dc-b's node with {@code writers}
     */
    record Result(NativeReplicationBench.Kind kind, double nativeRowsPerSecond, double oneWriterRowsPerSecond, int writers,
                  double rowsPerSecond) {

        double ratio() {
            return rowsPerSecond / nativeRowsPerSecond;
        }

        double oneWriterRatio() {
            return oneWriterRowsPerSecond / nativeRowsPerSecond;
        }
    }

    private ApplyOnlyBench() {}

    /** Rows per second dc-b's node, with {@code writers} writers per link, applied the backlog at. */
    static double run(List<PostgresServer> databases, List<KafkaCluster> kafka, NativeReplicationBench.Kind kind, int rows,
                      int perTransaction, int writers, Path workDirectory) throws Exception {
        try (LocalCluster cluster = new LocalCluster(List.of("dc-a", "dc-b"), "all-to-all", databases, kafka,
                List.of(BenchTable.NAME), java.util.Map.of(), workDirectory, OptionalInt.of(writers))) {
            for (int i = 0; i < 2; i++) {
                BenchTable.create(cluster.database(i));
                if (kind == NativeReplicationBench.Kind.UPDATES) {
                    BenchTable.preload(cluster.database(i), rows);
                }
            }
            cluster.initAll();
            SynclineNode origin = cluster.start(0);
            if (kind == NativeReplicationBench.Kind.UPDATES) {
                BenchTable.updateBacklog(cluster.database(0), rows, perTransaction);
            } else {
                BenchTable.insertBacklog(cluster.database(0), rows, perTransaction);
            }
            SynclineReplicationBench.awaitPublished(origin, (rows + perTransaction - 1) / perTransaction);
            cluster.start(1);
            long started = System.nanoTime();
            // Rows applied while the node started count out: the clock runs from when it streams.
            long before = BenchTable.arrived(cluster.database(1));
            long arrived = BenchTable.awaitArrived(cluster.database(1), rows, 900_000);
            return (rows - before) / ((arrived - started) / 1e9);
        }
    }
}
