package io.syncline.lab.bench;

import io.syncline.lab.demo.LocalCluster;
import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import io.syncline.node.metrics.LagHistogram;
import io.syncline.node.runtime.SynclineNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The {@code hot_rows} phase (issue 19): the application at every datacenter runs
 * {@link HotRowsWorkload} at once, updating the same shared rows, three times on the same
 * servers: without replication, while PostgreSQL's own logical replication streams dc-a's
 * tables to dc-b (one way: two-way native replication of the same rows would loop), and with
 * Syncline replicating all to all. Each datacenter's tx/s and latency percentiles come from its
 * application; Syncline's lag, from origin commit to apply commit, from the nodes, until every
 * event row reached every datacenter.
 */
final class HotRowsBench {

    /**
     * One run with {@code datacenters} datacenters; each map is datacenter -> its application's figures.
     *
     * @param lagP50 Syncline's lag percentiles and maximum in milliseconds, over the measured part
     */
    record Result(int datacenters, Map<String, HotRowsWorkload.Figures> without, Map<String, HotRowsWorkload.Figures> nativeOneWay,
            Map<String, HotRowsWorkload.Figures> syncline, long lagP50, long lagP99, long lagMax, long lagSamples) {

        double tpsRatio(String datacenter) {
            return syncline.get(datacenter).tps() / without.get(datacenter).tps();
        }

        double p99Ratio(String datacenter) {
            return syncline.get(datacenter).p99Millis() / without.get(datacenter).p99Millis();
        }

        double nativeTpsRatio(String datacenter) {
            return nativeOneWay.get(datacenter).tps() / without.get(datacenter).tps();
        }

        double nativeP99Ratio(String datacenter) {
            return nativeOneWay.get(datacenter).p99Millis() / without.get(datacenter).p99Millis();
        }
    }

    /** How long the datacenters may take to hold every event row once the applications stop. */
    private static final Duration CATCH_UP = Duration.ofMinutes(3);

    private HotRowsBench() {}

    static Result run(List<PostgresServer> databases, List<KafkaCluster> kafka, Duration duration, Path workDirectory)
            throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < databases.size(); i++) {
            names.add("dc-" + (char) ('a' + i));
        }
        try (LocalCluster cluster = new LocalCluster(names, "all-to-all", databases, kafka, HotRowsWorkload.TABLES,
                workDirectory)) {
            for (int i = 0; i < names.size(); i++) {
                NativeSubscription.execute(cluster.database(i), HotRowsWorkload.CREATE_TABLES);
                NativeSubscription.execute(cluster.database(i), HotRowsWorkload.VACUUM_TABLES);
            }
            Map<String, HotRowsWorkload.Figures> without = everywhere(names, databases, duration);
            Map<String, HotRowsWorkload.Figures> nativeOneWay;
            // Each part starts without events: the clients number theirs from the same first id every time.
            truncateEvents(cluster, names.size());
            try (NativeSubscription subscription = NativeSubscription.create(databases.get(0), cluster.database(0),
                    cluster.database(1), String.join(", ", HotRowsWorkload.TABLES), true)) {
                nativeOneWay = everywhere(names, databases, duration);
            }
            // Also: every datacenter starts Syncline's part with the same events (none), so that "every
            // event everywhere" says when replication caught up.
            truncateEvents(cluster, names.size());
            cluster.initAll();
            cluster.startAll();
            List<HotRowsWorkload.Run> runs = startEverywhere(databases, duration);
            Thread.sleep(duration.dividedBy(2).toMillis());
            LagHistogram warmUp = allLinks(cluster);
            Map<String, HotRowsWorkload.Figures> syncline = awaitAll(names, runs);
            awaitEveryEventEverywhere(cluster, names.size());
            LagHistogram lag = allLinks(cluster).since(warmUp);
            return new Result(names.size(), without, nativeOneWay, syncline, lag.percentile(50), lag.percentile(99),
                    lag.maxMillis(), lag.count());
        }
    }

    private static void truncateEvents(LocalCluster cluster, int datacenters) throws SQLException {
        for (int i = 0; i < datacenters; i++) {
            NativeSubscription.execute(cluster.database(i), "TRUNCATE hot.event");
        }
    }

    private static Map<String, HotRowsWorkload.Figures> everywhere(List<String> names, List<PostgresServer> databases,
            Duration duration) throws Exception {
        return awaitAll(names, startEverywhere(databases, duration));
    }

    private static List<HotRowsWorkload.Run> startEverywhere(List<PostgresServer> databases, Duration duration) throws Exception {
        List<HotRowsWorkload.Run> runs = new ArrayList<>();
        for (int i = 0; i < databases.size(); i++) {
            PostgresServer database = databases.get(i);
            runs.add(HotRowsWorkload.start(database.jdbcUrl(), database.user(), database.password(), i, duration.dividedBy(2),
                    duration));
        }
        return runs;
    }

    private static Map<String, HotRowsWorkload.Figures> awaitAll(List<String> names, List<HotRowsWorkload.Run> runs)
            throws Exception {
        Map<String, HotRowsWorkload.Figures> figures = new LinkedHashMap<>();
        for (int i = 0; i < runs.size(); i++) {
            figures.put(names.get(i), runs.get(i).await());
        }
        return figures;
    }

    /** Waits until every datacenter holds as many event rows of each datacenter as the others. */
    private static void awaitEveryEventEverywhere(LocalCluster cluster, int datacenters) throws Exception {
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        while (true) {
            Set<String> counts = new HashSet<>();
            for (int i = 0; i < datacenters; i++) {
                counts.add(count(cluster.database(i)));
            }
            if (counts.size() == 1) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the datacenters hold different numbers of event rows " + counts + " "
                        + CATCH_UP.toSeconds() + " s after the applications stopped: Syncline did not catch up");
            }
            Thread.sleep(200);
        }
    }

    /** The number of event rows of each writing datacenter, for example "0:1200,1:1187". */
    private static String count(DataSource database) throws SQLException {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT string_agg(dc || ':' || n, ',' ORDER BY dc) FROM (SELECT id >> "
                        + HotRowsWorkload.DATACENTER_SHIFT + " AS dc, count(*) AS n FROM hot.event GROUP BY 1) t")) {
            rs.next();
            return String.valueOf(rs.getString(1));
        }
    }

    private static LagHistogram allLinks(LocalCluster cluster) {
        LagHistogram lag = new LagHistogram();
        for (SynclineNode node : cluster.runningNodes()) {
            lag.addAll(node.lag());
        }
        return lag;
    }
}
