package io.syncline.node.bench;

import io.syncline.node.demo.LocalCluster;
import io.syncline.node.env.KafkaCluster;
import io.syncline.node.env.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * What Syncline costs the application's own writes ({@link AppWorkload}, in a process of its
 * own) on dc-a: first without Syncline, then while PostgreSQL's own logical replication streams
 * the same tables to dc-b (the cost any change capture from the WAL pays), then with the
 * row-version triggers installed, then with dc-a's node running, then with both nodes running.
 * Each phase warms up before it is measured: the nodes run for days, their first seconds are
 * not what they cost.
 */
final class AppOverheadBench {

    /**
     * @param tpsWithout      plain tables
     * @param tpsNative       plain tables published to dc-b by native logical replication: walsender decoding, no triggers
     * @param tpsTriggersOnly row-version triggers installed, nodes not running: the cost inside PostgreSQL
     * @param tpsLocalNode    triggers and dc-a's node running (capture, dc-a's Kafka): what Syncline adds
     *                        at dc-a when dc-b runs on its own machines
     * @param tpsWith         triggers and both nodes running (capture, Kafka, dc-b's apply on the same machine)
     */
    record Result(double tpsWithout, double tpsNative, double tpsTriggersOnly, double tpsLocalNode, double tpsWith) {
        double ratio() {
            return tpsWith / tpsWithout;
        }

        double localNodeRatio() {
            return tpsLocalNode / tpsWithout;
        }

        double nativeRatio() {
            return tpsNative / tpsWithout;
        }
    }

    private AppOverheadBench() {}

    static Result run(List<PostgresServer> databases, List<KafkaCluster> kafka, Duration duration, Path workDirectory)
            throws Exception {
        try (LocalCluster cluster = new LocalCluster(List.of("dc-a", "dc-b"), "all-to-all", databases, kafka, AppWorkload.TABLES,
                workDirectory)) {
            for (int i = 0; i < 2; i++) {
                try (Connection connection = cluster.database(i).getConnection(); Statement statement = connection.createStatement()) {
                    statement.execute(AppWorkload.CREATE_TABLES);
                }
            }
            PostgresServer dcA = databases.get(0);
            double without = tps(dcA, duration);
            double withNative;
            try (NativeSubscription subscription = NativeSubscription.create(dcA, cluster.database(0), cluster.database(1),
                    String.join(", ", AppWorkload.TABLES), true)) {
                withNative = tps(dcA, duration);
            }
            cluster.initAll();
            double triggersOnly = tps(dcA, duration);
            cluster.start(0);
            double localNode = tps(dcA, duration);
            cluster.start(1);
            double with = tps(dcA, duration);
            return new Result(without, withNative, triggersOnly, localNode, with);
        }
    }

    private static double tps(PostgresServer database, Duration duration) throws Exception {
        return AppWorkload.transactionsPerSecond(database.jdbcUrl(), database.user(), database.password(), duration.dividedBy(2),
                duration);
    }
}
