package io.syncline.lab.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.syncline.lab.env.PostgresServer;
import io.syncline.node.runtime.DataSources;
import java.sql.SQLException;

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
            try (NativeSubscription subscription = NativeSubscription.create(publisher, pub, sub, BenchTable.NAME, false)) {
                if (kind == Kind.UPDATES) {
                    BenchTable.updateBacklog(pub, rows, perTransaction);
                } else {
                    BenchTable.insertBacklog(pub, rows, perTransaction);
                }
                long started = System.nanoTime();
                subscription.enable();
                long arrived = BenchTable.awaitArrived(sub, rows, 600_000);
                return rows / ((arrived - started) / 1e9);
            } finally {
                NativeSubscription.execute(pub, "DROP TABLE " + BenchTable.NAME);
                NativeSubscription.execute(sub, "DROP TABLE " + BenchTable.NAME);
            }
        }
    }
}
