package io.syncline.lab.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's application: writes inserts, updates and deletes into {@code demo.accounts} of
 * one datacenter, in small transactions at a steady rate. A share of the writes goes to a
 * small range of keys that every datacenter writes, so that concurrent writes of the same row
 * (conflicts) happen; the rest goes to keys of its own.
 */
public final class DemoWorkload implements Runnable {

    public static final String TABLE = "demo.accounts";
    public static final String KEY_COLUMN = "id";

    public static final String CREATE_TABLE = """
            CREATE SCHEMA IF NOT EXISTS demo;
            CREATE TABLE IF NOT EXISTS demo.accounts (
                id         integer PRIMARY KEY,
                owner      text           NOT NULL,
                balance    numeric(14, 2) NOT NULL,
                tags       text[],
                payload    jsonb,
                updated_at timestamptz    NOT NULL
            )""";

    private static final Logger log = LoggerFactory.getLogger(DemoWorkload.class);
    private static final int SHARED_KEYS = 50;
    private static final int OWN_KEY_BASE = 1_000_000;

    private final String nodeId;
    private final int nodeIndex;
    private final DataSource dataSource;
    private final double transactionsPerSecond;
    private final AtomicBoolean running;
    private final Random random;
    private final AtomicLong writes = new AtomicLong();
    private int nextOwnKey;

    public DemoWorkload(String nodeId, int nodeIndex, DataSource dataSource, double transactionsPerSecond,
                        AtomicBoolean running, long seed) {
        this.nodeId = nodeId;
        this.nodeIndex = nodeIndex;
        this.dataSource = dataSource;
        this.transactionsPerSecond = transactionsPerSecond;
        this.running = running;
        this.random = new Random(seed);
    }

    /** Rows written (inserted, updated or deleted) by committed transactions so far. */
    public long writes() {
        return writes.get();
    }

    @Override
    public void run() {
        SteadyRate rate = new SteadyRate(transactionsPerSecond);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            while (running.get()) {
                int rows = writeOneTransaction(connection);
                try {
                    connection.commit();
                    writes.addAndGet(rows);
                } catch (SQLException e) {
                    connection.rollback();
                }
                rate.awaitNext();
            }
        } catch (SQLException e) {
            log.error("[{} workload] stopped: {}", nodeId, e.getMessage());
            throw new IllegalStateException("workload on " + nodeId + " failed", e);
        }
    }

    private int writeOneTransaction(Connection connection) throws SQLException {
        int statements = 1 + random.nextInt(4);
        int rows = 0;
        try {
            for (int i = 0; i < statements; i++) {
                rows += writeOne(connection);
            }
        } catch (SQLException e) {
            // A local constraint race between two statements of this workload: drop the transaction.
            connection.rollback();
            return 0;
        }
        return rows;
    }

    private int writeOne(Connection connection) throws SQLException {
        boolean shared = random.nextInt(100) < 30;
        int key = shared ? random.nextInt(SHARED_KEYS) : ownKey();
        int dice = random.nextInt(100);
        if (dice < 25) {
            return upsert(connection, shared ? key : newOwnKey());
        }
        if (dice < 90) {
            return update(connection, key);
        }
        return delete(connection, key);
    }

    private int ownKey() {
        return nextOwnKey == 0 ? newOwnKey() : OWN_KEY_BASE * (nodeIndex + 1) + random.nextInt(nextOwnKey);
    }

    private int newOwnKey() {
        return OWN_KEY_BASE * (nodeIndex + 1) + nextOwnKey++;
    }

    private int upsert(Connection connection, int key) throws SQLException {
        String sql = """
                INSERT INTO demo.accounts (id, owner, balance, tags, payload, updated_at)
                VALUES (?, ?, ?, ARRAY[?, 'demo'], jsonb_build_object('by', ?::text, 'n', ?::int), now())
                ON CONFLICT (id) DO UPDATE SET balance = EXCLUDED.balance, payload = EXCLUDED.payload, updated_at = now()""";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setInt(1, key);
            statement.setString(2, "owner-" + key);
            statement.setBigDecimal(3, java.math.BigDecimal.valueOf(random.nextInt(1_000_000), 2));
            statement.setString(4, nodeId);
            statement.setString(5, nodeId);
            statement.setInt(6, random.nextInt(1000));
            return statement.executeUpdate();
        }
    }

    private int update(Connection connection, int key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "UPDATE demo.accounts SET balance = balance + ?, tags = ARRAY[?, 'updated'], updated_at = now() WHERE id = ?")) {
            statement.setBigDecimal(1, java.math.BigDecimal.valueOf(random.nextInt(10_000) - 5_000, 2));
            statement.setString(2, nodeId);
            statement.setInt(3, key);
            return statement.executeUpdate();
        }
    }

    private int delete(Connection connection, int key) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            return statement.executeUpdate("DELETE FROM demo.accounts WHERE id = " + key);
        }
    }
}
