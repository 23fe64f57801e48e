package io.syncline.lab.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's counter application ({@code --policy delta}): increments and decrements the shared
 * rows of {@code demo.counters} at one datacenter, which every other datacenter increments at the
 * same time. The {@code total} column is configured {@code delta}, so every committed increment
 * must count everywhere: {@link #committedSum()} is what this datacenter added.
 */
public final class CounterWorkload implements Runnable {

    public static final String TABLE = "demo.counters";
    /** The conflict section of {@link #TABLE} in the generated node configs. */
    public static final String CONFLICT = "{columns: {total: {policy: delta}}}";
    public static final int ROWS = 10;
    public static final String CREATE_TABLE = """
            CREATE SCHEMA IF NOT EXISTS demo;
            CREATE TABLE IF NOT EXISTS demo.counters (id integer PRIMARY KEY, total bigint NOT NULL DEFAULT 0)""";
    /** Run once, at one datacenter, before the workload: the shared rows, all at zero. */
    public static final String SEED = "INSERT INTO demo.counters SELECT g, 0 FROM generate_series(1, " + ROWS + ") g";

    private static final Logger log = LoggerFactory.getLogger(CounterWorkload.class);

    private final String nodeId;
    private final DataSource dataSource;
    private final double transactionsPerSecond;
    private final AtomicBoolean running;
    private final Random random;
    private final AtomicLong committedSum = new AtomicLong();
    private final AtomicLong committedIncrements = new AtomicLong();

    public CounterWorkload(String nodeId, DataSource dataSource, double transactionsPerSecond, AtomicBoolean running,
                           long seed) {
        this.nodeId = nodeId;
        this.dataSource = dataSource;
        this.transactionsPerSecond = transactionsPerSecond;
        this.running = running;
        this.random = new Random(seed);
    }

    /** The sum of every increment (negative for decrements) of the transactions committed so far. */
    public long committedSum() {
        return committedSum.get();
    }

    /** How many increments and decrements were committed so far. */
    public long committedIncrements() {
        return committedIncrements.get();
    }

    @Override
    public void run() {
        SteadyRate rate = new SteadyRate(transactionsPerSecond);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement increment = connection.prepareStatement(
                        "UPDATE demo.counters SET total = total + ? WHERE id = ?")) {
            connection.setAutoCommit(false);
            while (running.get()) {
                long sum = 0;
                int statements = 1 + random.nextInt(2);
                try {
                    for (int i = 0; i < statements; i++) {
                        long delta = random.nextInt(16) - 5;
                        increment.setLong(1, delta);
                        increment.setInt(2, 1 + random.nextInt(ROWS));
                        if (increment.executeUpdate() != 1) {
                            throw new IllegalStateException("counter row missing at " + nodeId);
                        }
                        sum += delta;
                    }
                    connection.commit();
                    committedSum.addAndGet(sum);
                    committedIncrements.addAndGet(statements);
                } catch (SQLException e) {
                    // A deadlock with the applier writing the same rows: this transaction did not happen.
                    connection.rollback();
                    log.debug("[{} counter workload] transaction rolled back: {}", nodeId, e.getMessage());
                }
                rate.awaitNext();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("counter workload on " + nodeId + " failed", e);
        }
    }
}
