package io.syncline.node.bench;

import io.syncline.node.demo.LocalCluster;
import io.syncline.node.env.KafkaCluster;
import io.syncline.node.env.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * What Syncline costs the application's own writes: pgbench's simple-update transaction
 * (update an account, read it back, insert a history row) from several clients on dc-a, first
 * without Syncline, then with the row-version triggers installed, then with dc-a's node running,
 * then with both nodes running.
 */
final class AppOverheadBench {

    /**
     * @param tpsWithout      plain tables
     * @param tpsTriggersOnly row-version triggers installed, nodes not running: the cost inside PostgreSQL
     * @param tpsLocalNode    triggers and dc-a's node running (capture, dc-a's Kafka): what Syncline adds
     *                        at dc-a when dc-b runs on its own machines
     * @param tpsWith         triggers and both nodes running (capture, Kafka, dc-b's apply on the same machine)
     */
    record Result(double tpsWithout, double tpsTriggersOnly, double tpsLocalNode, double tpsWith) {
        double ratio() {
            return tpsWith / tpsWithout;
        }

        double localNodeRatio() {
            return tpsLocalNode / tpsWithout;
        }
    }

    private static final int ACCOUNTS = 100_000;
    private static final int CLIENTS = 4;
    private static final String CREATE = """
            CREATE SCHEMA IF NOT EXISTS bench;
            CREATE TABLE bench.accounts (aid integer PRIMARY KEY, abalance integer NOT NULL, filler char(84));
            CREATE TABLE bench.history (hid bigserial PRIMARY KEY, aid integer NOT NULL, delta integer NOT NULL,
                                        mtime timestamptz NOT NULL DEFAULT now());
            INSERT INTO bench.accounts SELECT g, 0, '' FROM generate_series(1, 100000) g;
            """;

    private AppOverheadBench() {}

    static Result run(List<PostgresServer> databases, List<KafkaCluster> kafka, Duration duration, Path workDirectory)
            throws Exception {
        try (LocalCluster cluster = new LocalCluster(List.of("dc-a", "dc-b"), "all-to-all", databases, kafka,
                List.of("bench.accounts", "bench.history"), workDirectory)) {
            for (int i = 0; i < 2; i++) {
                try (Connection connection = cluster.database(i).getConnection(); Statement statement = connection.createStatement()) {
                    statement.execute(CREATE);
                }
            }
            double without = tps(cluster.database(0), duration);
            cluster.initAll();
            double triggersOnly = tps(cluster.database(0), duration);
            cluster.start(0);
            double localNode = tps(cluster.database(0), duration);
            cluster.start(1);
            double with = tps(cluster.database(0), duration);
            return new Result(without, triggersOnly, localNode, with);
        }
    }

    private static double tps(DataSource database, Duration duration) throws InterruptedException {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong committed = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            Thread client = new Thread(() -> simpleUpdates(database, running, committed), "bench-client-" + c);
            clients.add(client);
        }
        long started = System.nanoTime();
        clients.forEach(Thread::start);
        Thread.sleep(duration.toMillis());
        running.set(false);
        for (Thread client : clients) {
            client.join();
        }
        return committed.get() / ((System.nanoTime() - started) / 1e9);
    }

    private static void simpleUpdates(DataSource database, AtomicBoolean running, AtomicLong committed) {
        try (Connection connection = database.getConnection();
                PreparedStatement update = connection.prepareStatement("UPDATE bench.accounts SET abalance = abalance + ? WHERE aid = ?");
                PreparedStatement select = connection.prepareStatement("SELECT abalance FROM bench.accounts WHERE aid = ?");
                PreparedStatement insert = connection.prepareStatement("INSERT INTO bench.history (aid, delta) VALUES (?, ?)")) {
            connection.setAutoCommit(false);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (running.get()) {
                int aid = 1 + random.nextInt(ACCOUNTS);
                int delta = random.nextInt(-5000, 5001);
                update.setInt(1, delta);
                update.setInt(2, aid);
                update.executeUpdate();
                select.setInt(1, aid);
                select.executeQuery().close();
                insert.setInt(1, aid);
                insert.setInt(2, delta);
                insert.executeUpdate();
                connection.commit();
                committed.incrementAndGet();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("bench client failed: " + e.getMessage(), e);
        }
    }
}
