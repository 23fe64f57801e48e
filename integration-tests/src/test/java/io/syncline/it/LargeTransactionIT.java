package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.it.support.DcCluster;
import io.syncline.it.support.NodeProcess;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One source transaction that updates every row of a large table replicates to the other
 * datacenter atomically while both nodes run as OS processes with their heap capped: the capture
 * publishes it in chunks as it streams, the other node applies the chunks in one target
 * transaction. A reader at dc-b checks all along that it sees none or all of the update.
 *
 * <p>CI runs 200,000 rows with {@code -Xmx128m} (without chunks the capture alone needs several
 * times that heap for them). The full size of the issue runs with
 * {@code -Dsyncline.it.large-tx.rows=1000000 -Dsyncline.it.large-tx.heap=512m}.
 */
class LargeTransactionIT {

    private static final int ROWS = Integer.getInteger("syncline.it.large-tx.rows", 200_000);
    private static final String HEAP = System.getProperty("syncline.it.large-tx.heap", "128m");
    private static final String A = "dc-a";
    private static final String B = "dc-b";
    private static final Duration WAIT = Duration.ofSeconds(90);

    private DcCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void oneTransactionUpdatingEveryRowOfALargeTableReplicatesAtomicallyWithTheHeapCapped() throws Exception {
        cluster = DcCluster.builder()
                .nodes(2)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.big (id int PRIMARY KEY, v bigint NOT NULL, pad text NOT NULL)")
                .replicate("it.big")
                .start();
        long seeding = System.nanoTime();
        for (String node : cluster.names()) {
            seed(node, ROWS);
        }
        System.out.printf("[large-tx] %s: %,d rows at both datacenters in %d ms%n", cluster.backendName(), ROWS,
                millisSince(seeding));
        List<String> jvm = List.of("-Xmx" + HEAP, "-XX:+ExitOnOutOfMemoryError");
        NodeProcess a = cluster.startNodeProcess(A, jvm);
        NodeProcess b = cluster.startNodeProcess(B, jvm);

        // Replication runs: a small transaction first, applied on its own.
        cluster.execute(A, "INSERT INTO it.big VALUES (0, 0, 'marker')");
        await("the marker row at dc-b").atMost(WAIT).until(() -> cluster.queryLong(B, "SELECT count(*) FROM it.big WHERE id = 0") == 1);

        AtomicBoolean done = new AtomicBoolean();
        AtomicLong observations = new AtomicLong();
        ConcurrentLinkedQueue<String> partial = new ConcurrentLinkedQueue<>();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        Future<?> watching = reader.submit(() -> watchInvariants(ROWS, done, observations, partial));
        try {
            long started = System.nanoTime();
            cluster.execute(A, "UPDATE it.big SET v = v + 1 WHERE id > 0");
            long committed = millisSince(started);
            Duration timeout = WAIT.plusSeconds(ROWS / 2_000);
            await("all " + ROWS + " updated rows at dc-b").atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!a.isAlive() || !b.isAlive()) {
                    throw new IllegalStateException("a node process exited:\n" + (a.isAlive() ? b : a).log());
                }
                return cluster.queryLong(B, "SELECT count(*) FROM it.big WHERE v = 1") == ROWS;
            });
            long replicated = millisSince(started);
            done.set(true);
            watching.get(60, TimeUnit.SECONDS);
            System.out.printf("[large-tx] one transaction updating %,d rows with -Xmx%s: committed at dc-a in %d ms, complete at"
                    + " dc-b %d ms after the update started (%d ms after its commit); the reader at dc-b checked %d times%n",
                    ROWS, HEAP, committed, replicated, replicated - committed, observations.get());
        } finally {
            done.set(true);
            reader.shutdownNow();
        }

        assertThat(partial).as("states of it.big at dc-b with part of the transaction applied").isEmpty();
        assertThat(observations.get()).as("checks of dc-b while the transaction was on its way").isGreaterThan(1);
        assertThat(cluster.queryLong(B, "SELECT sum(v) FROM it.big")).isEqualTo(ROWS);
        a.awaitLogged("in chunks", WAIT);
        b.awaitLogged("large transaction(s) in one target transaction", WAIT);
        // Where the time went: the capture's and the link's own account.
        a.log().lines().filter(line -> line.contains(" chunks")).forEach(line -> System.out.println("[large-tx] " + line));
        b.log().lines().filter(line -> line.contains("in one target transaction"))
                .forEach(line -> System.out.println("[large-tx] " + line));

        // The link goes on with small transactions after it, in both directions.
        cluster.execute(A, "UPDATE it.big SET pad = 'after' WHERE id = 0");
        cluster.execute(B, "UPDATE it.big SET pad = 'from dc-b' WHERE id = 1");
        await("small transactions after the large one").atMost(WAIT).until(() ->
                "after".equals(cluster.queryString(B, "SELECT pad FROM it.big WHERE id = 0"))
                        && "from dc-b".equals(cluster.queryString(A, "SELECT pad FROM it.big WHERE id = 1")));
        assertThat(cluster.compare(Map.of("it.big", "id")).examples()).as("rows that differ").isEmpty();
        assertThat(a.isAlive() && b.isAlive()).as("both node processes still run").isTrue();
    }

    /**
     * dc-b's node is killed (SIGKILL) while it applies the chunks of a large transaction: nothing of
     * it is visible, and the restarted node reads it again from its first chunk and applies it whole.
     */
    @Test
    void aNodeKilledWhileApplyingALargeTransactionAppliesItWholeAfterItsRestart() throws Exception {
        int rows = 100_000;
        cluster = DcCluster.builder()
                .nodes(2)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.big (id int PRIMARY KEY, v bigint NOT NULL, pad text NOT NULL)")
                .replicate("it.big")
                .start();
        for (String node : cluster.names()) {
            seed(node, rows);
        }
        NodeProcess a = cluster.startNodeProcess(A);
        NodeProcess b = cluster.startNodeProcess(B);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong observations = new AtomicLong();
        ConcurrentLinkedQueue<String> partial = new ConcurrentLinkedQueue<>();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        Future<?> watching = reader.submit(() -> watchInvariants(rows, done, observations, partial));
        try {
            cluster.execute(A, "UPDATE it.big SET v = v + 1 WHERE id > 0");
            b.awaitLogged("a large transaction begins at offset", WAIT.plusSeconds(rows / 2_000));
            b.kill();
            assertThat(cluster.queryLong(B, "SELECT count(*) FROM it.big WHERE v = 1"))
                    .as("rows of the large transaction visible at dc-b when its node was killed applying it").isZero();
            System.out.printf("[large-tx] killed %s's node while it applied the chunks of a transaction of %,d rows%n", B, rows);

            NodeProcess restarted = cluster.startNodeProcess(B);
            await("all " + rows + " updated rows at dc-b after its restart").atMost(WAIT.plusSeconds(rows / 2_000))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.queryLong(B, "SELECT count(*) FROM it.big WHERE v = 1") == rows);
            done.set(true);
            watching.get(60, TimeUnit.SECONDS);
            restarted.awaitLogged("large transaction(s) in one target transaction", WAIT);
            assertThat(a.isAlive() && restarted.isAlive()).as("both node processes run").isTrue();
        } finally {
            done.set(true);
            reader.shutdownNow();
        }
        assertThat(partial).as("states of it.big at dc-b with part of the transaction applied").isEmpty();
        assertThat(cluster.queryLong(B, "SELECT sum(v) FROM it.big")).isEqualTo(rows);
        assertThat(cluster.compare(Map.of("it.big", "id")).examples()).as("rows that differ").isEmpty();
    }

    /**
     * The same rows at a datacenter, written as another origin's apply would: the triggers leave
     * their versions alone and the capture does not publish them, so both datacenters start equal.
     */
    private void seed(String node, int rows) throws SQLException {
        cluster.execute(node, "SELECT pg_replication_origin_create('it_seed') WHERE NOT EXISTS"
                        + " (SELECT 1 FROM pg_replication_origin WHERE roname = 'it_seed')",
                "SELECT pg_replication_origin_session_setup('it_seed')",
                "INSERT INTO it.big SELECT g, 0, repeat('x', 40) || g FROM generate_series(1, " + rows + ") g",
                "SELECT pg_replication_origin_session_reset()");
    }

    /** Reads dc-b over and over: the update is there for no row or for every row, never for some. */
    private void watchInvariants(int rows, AtomicBoolean done, AtomicLong observations, ConcurrentLinkedQueue<String> partial) {
        try (Connection connection = cluster.connect(B); Statement statement = connection.createStatement()) {
            while (!done.get()) {
                try (ResultSet rs = statement.executeQuery("SELECT count(*) FILTER (WHERE v = 1), coalesce(sum(v), 0), count(*)"
                        + " FROM it.big WHERE id > 0")) {
                    rs.next();
                    long updated = rs.getLong(1);
                    long sum = rs.getLong(2);
                    long count = rs.getLong(3);
                    observations.incrementAndGet();
                    if (count != rows || (updated != 0 && updated != rows) || sum != updated) {
                        partial.add("rows " + count + ", updated " + updated + ", sum " + sum);
                    }
                }
            }
        } catch (SQLException e) {
            partial.add("the reader failed: " + e);
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
