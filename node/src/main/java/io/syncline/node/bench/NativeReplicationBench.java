package io.syncline.node.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.syncline.node.env.PostgresServer;
import io.syncline.node.internal.DataSources;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * PostgreSQL's own logical replication (publication/subscription) between two local
 * clusters, as the yardstick: a backlog is written while the subscription is disabled, then
 * the subscription is enabled and the clock runs until the subscriber has every row.
 */
final class NativeReplicationBench {

    enum Kind {
        UPDATES,
        INSERTS
    }

    private NativeReplicationBench() {}

    /** Rows per second the subscriber applied the backlog at. */
    static double run(PostgresServer publisher, PostgresServer subscriber, Kind kind, int rows, int perTransaction)
            throws SQLException, InterruptedException {
        try (HikariDataSource pub = DataSources.create("native-pub", publisher.jdbcUrl(), publisher.user(), publisher.password(), 2);
                HikariDataSource sub = DataSources.create("native-sub", subscriber.jdbcUrl(), subscriber.user(),
                        subscriber.password(), 2)) {
            BenchTable.create(pub);
            BenchTable.create(sub);
            if (kind == Kind.UPDATES) {
                BenchTable.preload(pub, rows);
                BenchTable.preload(sub, rows);
            }
            execute(pub, "CREATE PUBLICATION bench_pub FOR TABLE " + BenchTable.NAME);
            execute(sub, "CREATE SUBSCRIPTION bench_sub CONNECTION 'host=" + publisher.host() + " port=" + publisher.port()
                    + " dbname=" + publisher.database() + " user=" + publisher.user() + " password=" + publisher.password()
                    + "' PUBLICATION bench_pub WITH (copy_data = false, enabled = false)");
            try {
                if (kind == Kind.UPDATES) {
                    BenchTable.updateBacklog(pub, rows, perTransaction);
                } else {
                    BenchTable.insertBacklog(pub, rows, perTransaction);
                }
                long started = System.nanoTime();
                execute(sub, "ALTER SUBSCRIPTION bench_sub ENABLE");
                long arrived = BenchTable.awaitArrived(sub, rows, 600_000);
                return rows / ((arrived - started) / 1e9);
            } finally {
                execute(sub, "ALTER SUBSCRIPTION bench_sub DISABLE");
                execute(sub, "ALTER SUBSCRIPTION bench_sub SET (slot_name = NONE)");
                execute(sub, "DROP SUBSCRIPTION bench_sub");
                awaitSlotReleased(pub);
                execute(pub, "SELECT pg_drop_replication_slot('bench_sub')");
                execute(pub, "DROP PUBLICATION bench_pub");
                execute(pub, "DROP TABLE " + BenchTable.NAME);
                execute(sub, "DROP TABLE " + BenchTable.NAME);
            }
        }
    }

    /**
     * A disabled subscription's apply worker exits asynchronously; its walsender holds the slot
     * until then, and dropping an active slot fails.
     */
    private static void awaitSlotReleased(HikariDataSource pub) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        try (Connection connection = pub.getConnection(); Statement statement = connection.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = statement.executeQuery(
                        "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'bench_sub' AND active")) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                }
                Thread.sleep(50);
            }
        }
    }

    private static void execute(HikariDataSource database, String sql) throws SQLException {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
