package io.syncline.it.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.core.config.TopologyKind;
import io.syncline.node.runtime.LinkStatus;
import io.syncline.node.runtime.SynclineNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topology tests' workload and its checks. Every transaction a writer commits inserts one
 * row {@code (origin, seq)} into {@code it.events} (seq 1, 2, ... per origin, one writer per
 * node, so seq order is commit order) and also writes a few rows of {@code it.shared}, whose ten
 * keys every node writes concurrently (conflicts). A trigger that fires only in apply sessions
 * (those with a replication origin) logs every applied {@code it.events} write into
 * {@code it.apply_log}, which is not replicated: so each node records, in its own database and in
 * the same transaction as the apply, every origin transaction it applied and in which order its
 * target transactions committed them.
 */
public final class TopologyWorkload implements AutoCloseable {

    public static final List<String> SCHEMA = List.of(
            "CREATE SCHEMA it",
            "CREATE TABLE it.events (origin text NOT NULL, seq integer NOT NULL, payload text, PRIMARY KEY (origin, seq))",
            "CREATE TABLE it.shared (id integer PRIMARY KEY, val text NOT NULL, writer text NOT NULL, seq integer NOT NULL)",
            "CREATE TABLE it.apply_log (id bigserial PRIMARY KEY, origin text NOT NULL, seq integer NOT NULL, op text NOT NULL)",
            """
            CREATE FUNCTION it.log_apply() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF pg_replication_origin_session_is_setup() THEN
                    INSERT INTO it.apply_log (origin, seq, op) VALUES (NEW.origin, NEW.seq, TG_OP);
                END IF;
                RETURN NEW;
            END $$""",
            // Deferred, so that it logs when the applier's target transaction commits: with several apply writers a
            // target transaction writes its rows beside the one before it and commits after it, and the log's order
            // is the commit order.
            "CREATE CONSTRAINT TRIGGER log_apply AFTER INSERT OR UPDATE ON it.events DEFERRABLE INITIALLY DEFERRED"
                    + " FOR EACH ROW EXECUTE FUNCTION it.log_apply()",
            "ALTER TABLE it.events ENABLE ALWAYS TRIGGER log_apply");
    public static final List<String> TABLES = List.of("it.events", "it.shared");
    public static final Map<String, String> KEYS = Map.of("it.events", "origin || '/' || seq", "it.shared", "id");

    private static final Logger log = LoggerFactory.getLogger(TopologyWorkload.class);

    /** {@code nodes} datacenters with this workload's schema, prepared but not running; a star's hub is dc-a. */
    public static DcCluster cluster(int nodes, TopologyKind topology, Duration failureTimeout) {
        DcCluster.Builder builder = DcCluster.builder().nodes(nodes).topology(topology).failureTimeout(failureTimeout);
        SCHEMA.forEach(builder::schema);
        return builder.replicate(TABLES.toArray(String[]::new)).start();
    }
    private static final int SHARED_KEYS = 10;

    private final DcCluster cluster;
    private final Map<String, AtomicInteger> written = new LinkedHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> writers = new ArrayList<>();

    /** Starts one writer per node, each committing about {@code transactionsPerSecond}. */
    public TopologyWorkload(DcCluster cluster, double transactionsPerSecond, long seed) {
        this.cluster = cluster;
        log.info("topology workload seed {}", seed);
        for (String node : cluster.names()) {
            AtomicInteger count = new AtomicInteger();
            written.put(node, count);
            Random random = new Random(seed + node.hashCode());
            Thread writer = new Thread(() -> write(node, count, random, transactionsPerSecond), "it-writer-" + node);
            writers.add(writer);
            writer.start();
        }
    }

    private void write(String node, AtomicInteger count, Random random, double transactionsPerSecond) {
        long pauseNanos = (long) (1_000_000_000L / transactionsPerSecond);
        try (Connection connection = cluster.connect(node)) {
            // Continue after what earlier workloads on this cluster wrote.
            count.set((int) cluster.queryLong(node, "SELECT coalesce(max(seq), 0) FROM it.events WHERE origin = '" + node + "'"));
            connection.setAutoCommit(false);
            PreparedStatement event = connection.prepareStatement("INSERT INTO it.events VALUES (?, ?, ?)");
            PreparedStatement upsert = connection.prepareStatement("INSERT INTO it.shared VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT (id) DO UPDATE SET val = excluded.val, writer = excluded.writer, seq = excluded.seq");
            PreparedStatement delete = connection.prepareStatement("DELETE FROM it.shared WHERE id = ?");
            while (running.get()) {
                try {
                    writeOne(node, connection, event, upsert, delete, count, random);
                } catch (SQLException e) {
                    // The applier writes the same shared rows: deadlocks are the application's to retry.
                    connection.rollback();
                    if (!"40P01".equals(e.getSQLState()) && !"40001".equals(e.getSQLState())) {
                        throw e;
                    }
                }
                java.util.concurrent.locks.LockSupport.parkNanos(pauseNanos);
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
            log.error("[{}] writer failed", node, e);
        }
    }

    private static void writeOne(String node, Connection connection, PreparedStatement event, PreparedStatement upsert,
                         PreparedStatement delete, AtomicInteger count, Random random) throws SQLException {
        int seq = count.get() + 1;
        event.setString(1, node);
        event.setInt(2, seq);
        event.setString(3, "payload " + random.nextInt());
        event.executeUpdate();
        int sharedWrites = random.nextInt(3);
        for (int i = 0; i < sharedWrites; i++) {
            int key = 1 + random.nextInt(SHARED_KEYS);
            if (random.nextInt(8) == 0) {
                delete.setInt(1, key);
                delete.executeUpdate();
            } else {
                upsert.setInt(1, key);
                upsert.setString(2, node + "#" + seq + "/" + i);
                upsert.setString(3, node);
                upsert.setInt(4, seq);
                upsert.executeUpdate();
            }
        }
        connection.commit();
        count.set(seq);
    }

    /** Transactions committed so far by {@code node}'s writer. */
    public int written(String node) {
        return written.get(node).get();
    }

    /** Stops the writers and returns what each committed. */
    public Map<String, Integer> stop() throws InterruptedException {
        running.set(false);
        for (Thread writer : writers) {
            writer.join(30_000);
        }
        assertThat(failure.get()).as("writer failure").isNull();
        Map<String, Integer> result = new LinkedHashMap<>();
        written.forEach((node, count) -> result.put(node, count.get()));
        log.info("writers stopped: {}", result);
        return result;
    }

    /** How many of {@code origin}'s transactions {@code node} has. */
    public long eventsAt(String node, String origin) throws SQLException {
        return cluster.queryLong(node, "SELECT count(*) FROM it.events WHERE origin = '" + origin + "'");
    }

    /** Waits until every node has every origin's transactions. */
    public void awaitAllApplied(Map<String, Integer> committed, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (String node : cluster.names()) {
                for (String origin : cluster.names()) {
                    assertThat(eventsAt(node, origin)).as("%s has transactions of %s", node, origin)
                            .isEqualTo(committed.get(origin).longValue());
                }
            }
        });
    }

    /**
     * Each node applied each other origin's transactions exactly once and in commit order (from
     * its apply log), and never one of its own.
     */
    public void assertAppliedExactlyOnceInOrder(Map<String, Integer> committed) throws SQLException {
        for (String node : cluster.names()) {
            for (String origin : cluster.names()) {
                List<Integer> applied = cluster.queryRows(node, "SELECT seq FROM it.apply_log WHERE origin = '" + origin
                        + "' ORDER BY id").stream().map(row -> Integer.parseInt(row.get(0))).toList();
                List<Integer> expected = origin.equals(node) ? List.of()
                        : IntStream.rangeClosed(1, committed.get(origin)).boxed().toList();
                assertThat(applied).as("transactions of %s applied at %s, in apply order", origin, node)
                        .isEqualTo(expected);
            }
        }
    }

    /** The applier counters agree: each node applied exactly the others' transactions, none twice. */
    public static void assertLinkCountersExact(DcCluster cluster, Map<String, Integer> committed) {
        for (String node : cluster.names()) {
            long others = committed.entrySet().stream().filter(e -> !e.getKey().equals(node)).mapToLong(Map.Entry::getValue).sum();
            long applied = cluster.node(node).allLinks().stream().mapToLong(LinkStatus::appliedTransactions).sum();
            assertThat(applied).as("transactions applied by the links of %s", node).isEqualTo(others);
        }
    }

    /**
     * Runs the workload on every node at {@code transactionsPerSecond} until each has committed
     * {@code perNode} transactions, waits until every node has every origin's transactions, and
     * checks that each was applied exactly once and in order (apply log and link counters) and that
     * the databases are identical.
     *
     * @return the transactions committed per origin
     */
    public static Map<String, Integer> runUntilConverged(DcCluster cluster, double transactionsPerSecond, int perNode,
            Duration applyTimeout) throws Exception {
        Map<String, Integer> committed;
        try (TopologyWorkload workload = new TopologyWorkload(cluster, transactionsPerSecond, System.nanoTime())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.names().stream().allMatch(n -> workload.written(n) >= perNode));
            committed = workload.stop();
            workload.awaitAllApplied(committed, applyTimeout);
            workload.assertAppliedExactlyOnceInOrder(committed);
        }
        assertLinkCountersExact(cluster, committed);
        assertConverged(cluster);
        return committed;
    }

    /** Transactions forwarded by all nodes. */
    public static long forwarded(DcCluster cluster) {
        return cluster.names().stream().map(cluster::node).flatMap(n -> n.allLinks().stream())
                .mapToLong(LinkStatus::forwardedTransactions).sum();
    }

    /** The databases are identical, row versions included. */
    public static void assertConverged(DcCluster cluster) throws SQLException {
        var result = cluster.compare(KEYS);
        assertThat(result.mismatchedRows()).as("mismatched rows, e.g. %s", result.examples()).isZero();
        assertThat(result.rowsCompared()).isPositive();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread writer : writers) {
            writer.join(30_000);
        }
    }

    /** For messages. */
    public static String describe(SynclineNode node) {
        return node.status().toString();
    }
}
