package io.syncline.lab.bench;

import io.syncline.lab.demo.LocalCluster;
import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;

/**
 * What Syncline costs the application's own writes ({@link AppWorkload}, in a process of its
 * own) on dc-a: first without Syncline, then while PostgreSQL's own logical replication streams
 * the same tables to dc-b (the cost any change capture from the WAL pays), then with the
 * row-version triggers installed, then with dc-a's node running, then with both nodes running,
 * and last without Syncline again: nodes stopped, triggers disabled. Each phase is one sample
 * on a shared host, and the tables grow from phase to phase, so the baseline is taken at both
 * ends and the ratios use its mean; how far the two ends lie apart says how far this run's
 * ratios can be trusted. Each phase warms up before it is measured: the nodes run for days,
 * their first seconds are not what they cost.
 */
final class AppOverheadBench {

    /** A baseline whose two ends differ by more than this share of their mean makes the run's ratios unreliable. */
    static final double MAX_BASELINE_SPREAD = 0.15;

    /**
     * @param tpsWithoutFirst plain tables, before anything else ran
     * @param tpsWithoutLast  after the other phases: nodes stopped, Syncline's triggers disabled
     * @param tpsNative       plain tables published to dc-b by native logical replication: walsender decoding, no triggers
     * @param tpsTriggersOnly row-version triggers installed, nodes not running: the cost inside PostgreSQL
     * @param tpsLocalNode    triggers and dc-a's node running (capture, dc-a's Kafka): what Syncline adds
     *                        at dc-a when dc-b runs on its own machines
     * @param tpsWith         triggers and both nodes running (capture, Kafka, dc-b's apply on the same machine)
     */
    record Result(double tpsWithoutFirst, double tpsNative, double tpsTriggersOnly, double tpsLocalNode, double tpsWith,
            double tpsWithoutLast) {
        /** The baseline: the mean of its two ends. */
        double tpsWithout() {
            return (tpsWithoutFirst + tpsWithoutLast) / 2;
        }

        /** How far the two ends of the baseline lie apart, as a share of their mean. */
        double baselineSpread() {
            return Math.abs(tpsWithoutFirst - tpsWithoutLast) / tpsWithout();
        }

        boolean baselineSteady() {
            return baselineSpread() <= MAX_BASELINE_SPREAD;
        }

        double ratio() {
            return tpsWith / tpsWithout();
        }

        double localNodeRatio() {
            return tpsLocalNode / tpsWithout();
        }

        double nativeRatio() {
            return tpsNative / tpsWithout();
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
                    // Fresh tables: without this, autovacuum would analyze and vacuum them during the first phase only.
                    statement.execute(AppWorkload.VACUUM_TABLES);
                }
            }
            PostgresServer dcA = databases.get(0);
            double withoutFirst = tps(dcA, duration);
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
            cluster.stop(1);
            cluster.stop(0);
            disableTriggers(cluster.database(0));
            double withoutLast = tps(dcA, duration);
            return new Result(withoutFirst, withNative, triggersOnly, localNode, with, withoutLast);
        }
    }

    private static void disableTriggers(DataSource database) throws SQLException {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            for (String table : AppWorkload.TABLES) {
                // The application's tables have no triggers but Syncline's.
                statement.execute("ALTER TABLE " + table + " DISABLE TRIGGER USER");
            }
        }
    }

    private static double tps(PostgresServer database, Duration duration) throws Exception {
        return AppWorkload.transactionsPerSecond(database.jdbcUrl(), database.user(), database.password(), duration.dividedBy(2),
                duration);
    }
}
