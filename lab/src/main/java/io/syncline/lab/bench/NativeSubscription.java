package io.syncline.lab.bench;

import io.syncline.connector.ReplicationSlots;
import io.syncline.lab.env.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * A publication on one cluster and a subscription to it on another: PostgreSQL's own logical
 * replication, the yardstick of the benchmark. Closing removes both, and the slot.
 */
final class NativeSubscription implements AutoCloseable {

    private static final String PUBLICATION = "bench_pub";
    private static final String SUBSCRIPTION = "bench_sub";

    private final DataSource publisher;
    private final DataSource subscriber;

    private NativeSubscription(DataSource publisher, DataSource subscriber) {
        this.publisher = publisher;
        this.subscriber = subscriber;
    }

    /**
     * @param tables  comma-separated qualified table names, present on both sides
     * @param enabled whether the subscription streams at once; a disabled one starts on {@link #enable()}
     */
    static NativeSubscription create(PostgresServer publisherServer, DataSource publisher, DataSource subscriber, String tables,
            boolean enabled) throws SQLException {
        execute(publisher, "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE " + tables);
        execute(subscriber, "CREATE SUBSCRIPTION " + SUBSCRIPTION + " CONNECTION 'host=" + publisherServer.host() + " port="
                + publisherServer.port() + " dbname=" + publisherServer.database() + " user=" + publisherServer.user() + " password="
                + publisherServer.password() + "' PUBLICATION " + PUBLICATION + " WITH (copy_data = false, enabled = " + enabled + ")");
        return new NativeSubscription(publisher, subscriber);
    }

    void enable() throws SQLException {
        execute(subscriber, "ALTER SUBSCRIPTION " + SUBSCRIPTION + " ENABLE");
    }

    @Override
    public void close() throws SQLException, InterruptedException {
        execute(subscriber, "ALTER SUBSCRIPTION " + SUBSCRIPTION + " DISABLE");
        execute(subscriber, "ALTER SUBSCRIPTION " + SUBSCRIPTION + " SET (slot_name = NONE)");
        execute(subscriber, "DROP SUBSCRIPTION " + SUBSCRIPTION);
        // A disabled subscription's apply worker exits asynchronously, and an active slot cannot be dropped.
        try (Connection connection = publisher.getConnection()) {
            ReplicationSlots.awaitReleased(connection, SUBSCRIPTION, Duration.ofSeconds(30));
        }
        execute(publisher, "SELECT pg_drop_replication_slot('" + SUBSCRIPTION + "')");
        execute(publisher, "DROP PUBLICATION " + PUBLICATION);
    }

    static void execute(DataSource database, String sql) throws SQLException {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
