package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.connector.LocalCapture;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.it.support.AppliedPositionAudit;
import io.syncline.it.support.DcCluster;
import io.syncline.it.support.NodeProcess;
import io.syncline.node.runtime.NodeLease;
import io.syncline.node.runtime.SynclineNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One active node per datacenter: a second {@code syncline run} of the same node is refused, and a
 * second one started with {@code --standby} waits and takes over when the active one is killed
 * (SIGKILL), without loss or double apply; a node that loses its lease stops capturing and applying.
 * Nodes run as their own OS processes, except the one whose lease is ended; a second process has
 * a data directory of its own, as on a second host.
 *
 * <p>"Applied once" is checked with test-only triggers on every database (as in {@link NodeCrashIT}):
 * {@code it_audit.position_advances} records each update of {@code syncline.applied_position}, which
 * must form one strictly increasing chain per origin, and {@code it_audit.ledger_applies} each ledger
 * row an apply session inserted, which must be each remote row exactly once. Counters configured
 * {@code delta} and incremented at both datacenters must equal the sum of every committed increment.
 */
class NodeLeaseIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    /** The default; on 2 busy cores a capture alone can take 10 s to start. */
    private static final Duration FAILURE_TIMEOUT = Duration.ofSeconds(30);
    private static final String A = "dc-a";
    private static final String B = "dc-b";
    private static final int COUNTERS = 5;
    private static final int RESTARTS = 8;

    private DcCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void secondActiveProcessOfTheSameNodeIsRefusedAtStart() {
        cluster = DcCluster.builder().nodes(2)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.items (id bigint PRIMARY KEY, v text)")
                .replicate("it.items")
                .start();
        NodeProcess active = cluster.startNodeProcess(B);

        NodeProcess second = cluster.startSecondNodeProcess(B, "dc-b-second");

        assertThat(second.awaitExit(Duration.ofSeconds(60))).as("exit status of the second process").isEqualTo(1);
        String log = second.log();
        System.out.printf("[lease] the second process of %s said:%n%s%n", B, log.lines()
                .filter(l -> l.contains("cannot start")).findFirst().orElse(log));
        assertThat(log).contains("another process is already the active node dc-b",
                "held by PostgreSQL backend pid", "syncline lease dc-b on", "pid " + active.pid(),
                "/syncline", "syncline run --standby");
        assertThat(active.isAlive()).as("the active process").isTrue();
    }

    /** A node stopped cleanly hands its lease back at once: started again right away, it is not refused. */
    @Test
    void aNodeStoppedCleanlyStartsAgainAtOnce() throws SQLException {
        cluster = DcCluster.builder().nodes(2)
                .schema("CREATE TABLE public.items (id int PRIMARY KEY)")
                .replicate("public.items")
                .start();
        for (int restart = 1; restart <= RESTARTS; restart++) {
            cluster.startNode(A);
            cluster.stopNode(A);
            try (Connection connection = cluster.connect(A)) {
                assertThat(NodeLease.isHeld(connection, A)).as("the lease of %s once stop %d returned", A, restart).isFalse();
            }
        }
        assertThat(cluster.startNode(A).state()).isEqualTo(SynclineNode.State.RUNNING);
    }

    @Test
    void standbyTakesOverFromAKilledActiveNodeWithoutLossOrDoubleApply() throws Exception {
        cluster = DcCluster.builder().nodes(2)
                .failureTimeout(FAILURE_TIMEOUT)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.ledger (id bigint PRIMARY KEY, origin text NOT NULL, payload text NOT NULL)")
                .schema("CREATE TABLE it.counters (id int PRIMARY KEY, n bigint NOT NULL)")
                .replicate("it.ledger", "it.counters")
                .conflict("it.counters", "{columns: {n: {policy: delta}}}")
                .start();
        for (String node : cluster.names()) {
            installApplyAudit(node);
        }
        cluster.startNodeProcess(A);
        NodeProcess active = cluster.startNodeProcess(B);
        NodeProcess standby = cluster.startSecondNodeProcess(B, "dc-b-standby", "--standby");
        standby.awaitLogged("standby: waiting for the lease of node dc-b", WAIT);
        cluster.execute(A, "INSERT INTO it.counters SELECT g, 0 FROM generate_series(1, " + COUNTERS + ") g");
        await("the counters at " + B).atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.queryLong(B, "SELECT count(*) FROM it.counters") == COUNTERS);

        Map<String, Writer> writers = Map.of(A, new Writer(A, 0), B, new Writer(B, 1));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        List<Future<?>> running = new ArrayList<>();
        long takeoverMillis;
        try {
            writers.values().forEach(w -> running.add(threads.submit(w)));
            awaitCommitted(writers, 60, running);
            await(B + " applying " + A + "'s transactions").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> cluster.appliedPositions(B).containsKey(A));

            active.kill();
            long killedAt = System.nanoTime();
            standby.awaitLogged("took over as the active node", FAILURE_TIMEOUT.multipliedBy(2));
            takeoverMillis = (System.nanoTime() - killedAt) / 1_000_000;
            System.out.printf("[lease] killed %s's active node (pid %d); the standby (pid %d) runs %d ms later: %s%n", B,
                    active.pid(), standby.pid(), takeoverMillis, takeoverLines(standby.log()));
            System.out.printf("[lease] the standby's start after taking the lease:%n%s%n", startLines(standby.log()));
            awaitCommitted(writers, writers.get(B).committed() + 80, running);
        } finally {
            writers.values().forEach(Writer::stop);
            threads.shutdown();
        }
        for (Future<?> writer : running) {
            writer.get(60, TimeUnit.SECONDS);
        }
        Duration drain = cluster.awaitQuiet(WAIT);
        System.out.printf("[lease] committed %d transactions on dc-a, %d on dc-b; quiet %d ms after the writes stopped%n",
                writers.get(A).committed(), writers.get(B).committed(), drain.toMillis());

        assertThat(takeoverMillis).as("ms from the kill until the standby runs").isLessThan(FAILURE_TIMEOUT.toMillis());
        assertThat(standby.isAlive()).as("the standby, now active").isTrue();
        assertNothingLost(writers);
        assertThat(cluster.compare(Map.of("it.ledger", "id", "it.counters", "id")).examples()).as("rows that differ").isEmpty();
        assertNothingAppliedTwice(writers);
    }

    @Test
    void nodeThatLosesItsLeaseStopsCapturingAndApplying() throws Exception {
        cluster = DcCluster.builder().nodes(2)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.items (id bigint PRIMARY KEY, v text)")
                .replicate("it.items")
                .start();
        cluster.startAllNodes();
        SynclineNode node = cluster.node(B);
        cluster.execute(A, "INSERT INTO it.items VALUES (1, 'before')");
        await("the first row at " + B).atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.queryLong(B, "SELECT count(*) FROM it.items") == 1);

        assertThat(cluster.queryLong(B, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE application_name LIKE 'syncline lease dc-b %'")).as("lease sessions ended").isEqualTo(1);

        await(B + " fenced").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> node.state() == SynclineNode.State.FENCED && node.awaitEnd(Duration.ZERO));
        assertThat(node.status().state()).isEqualTo(SynclineNode.State.FENCED);
        assertThat(node.capture().state()).as("capture").isEqualTo(LocalCapture.State.STOPPED);
        assertThat(cluster.queryLong(B, "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '"
                + ReplicationSchema.slotName(B) + "'")).as("active slot of " + B).isZero();
        cluster.execute(A, "INSERT INTO it.items VALUES (2, 'after, at dc-a')");
        cluster.execute(B, "INSERT INTO it.items VALUES (3, 'after, at dc-b')");
        await("nothing applied at " + B + " nor captured from it").during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.queryLong(B, "SELECT count(*) FROM it.items WHERE id = 2") == 0
                        && cluster.queryLong(A, "SELECT count(*) FROM it.items WHERE id = 3") == 0);
    }

    /** The standby's log lines from taking the lease to running, for the timing of each step. */
    private static String startLines(String log) {
        int from = log.indexOf("standby took the lease");
        int to = log.indexOf("took over as the active node");
        if (from < 0 || to < 0) {
            return "(not found)";
        }
        return log.substring(log.lastIndexOf('\n', from) + 1, log.indexOf('\n', to)).lines()
                .filter(line -> line.contains(" INFO ") || line.contains(" WARN ") || line.contains(" ERROR "))
                .map(line -> line.length() > 240 ? line.substring(0, 240) : line)
                .reduce((a, b) -> a + "\n" + b).orElse("");
    }

    private static String takeoverLines(String log) {
        Matcher m = Pattern.compile("(standby took the lease[^\\n]*|took over as the active node[^\\n]*)").matcher(log);
        List<String> lines = new ArrayList<>();
        while (m.find()) {
            lines.add(m.group(1));
        }
        return String.join(" / ", lines);
    }

    private void assertNothingLost(Map<String, Writer> writers) throws SQLException {
        long[] expected = new long[COUNTERS];
        for (Writer writer : writers.values()) {
            for (int i = 0; i < COUNTERS; i++) {
                expected[i] += writer.increments.get(i);
            }
        }
        for (String node : cluster.names()) {
            for (Writer writer : writers.values()) {
                assertThat(cluster.queryLong(node, "SELECT count(*) FROM it.ledger WHERE origin = '" + writer.node + "'"))
                        .as("ledger rows of %s on %s", writer.node, node).isEqualTo(writer.committed());
            }
            for (int i = 0; i < COUNTERS; i++) {
                assertThat(cluster.queryLong(node, "SELECT n FROM it.counters WHERE id = " + (i + 1)))
                        .as("delta counter %d on %s: the sum of every increment at both datacenters", i + 1, node)
                        .isEqualTo(expected[i]);
            }
        }
    }

    private void assertNothingAppliedTwice(Map<String, Writer> writers) throws SQLException {
        for (String node : cluster.names()) {
            String origin = node.equals(A) ? B : A;
            assertThat(cluster.queryRows(node, "SELECT count(*), count(DISTINCT id) FROM it_audit.ledger_applies").get(0))
                    .as("ledger rows of %s inserted by the applier on %s: inserts, distinct rows", origin, node)
                    .containsExactly(String.valueOf(writers.get(origin).committed()),
                            String.valueOf(writers.get(origin).committed()));
            AppliedPositionAudit.Chain chain = AppliedPositionAudit.assertOneChain(cluster, node, origin);
            System.out.printf("[lease] %s: %d of %s's ledger rows applied once each, in %d target transactions%n", node,
                    writers.get(origin).committed(), origin, chain.moves());
        }
    }

    /** Test-only triggers recording what apply sessions (replication origin set) write. */
    private void installApplyAudit(String node) throws SQLException {
        AppliedPositionAudit.install(cluster, node);
        cluster.execute(node,
                "CREATE TABLE it_audit.ledger_applies (seq bigserial PRIMARY KEY, id bigint NOT NULL)",
                """
                CREATE FUNCTION it_audit.ledger_apply() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF pg_replication_origin_session_is_setup() THEN
                        INSERT INTO it_audit.ledger_applies (id) VALUES (NEW.id);
                    END IF;
                    RETURN NULL;
                END $$""",
                "CREATE TRIGGER it_audit AFTER INSERT ON it.ledger FOR EACH ROW EXECUTE FUNCTION it_audit.ledger_apply()");
    }

    private static void awaitCommitted(Map<String, Writer> writers, long transactions, List<Future<?>> running) {
        await("both writers at " + transactions + " transactions").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    for (Future<?> future : running) {
                        if (future.isDone()) {
                            future.get(); // a writer that failed fails the test with its exception
                            throw new IllegalStateException("a writer stopped early");
                        }
                    }
                    return writers.values().stream().allMatch(w -> w.committed() >= transactions);
                });
    }

    /**
     * The application of one datacenter: about 25 small transactions per second, each inserting one
     * ledger row with a unique id and incrementing one of the counters every datacenter increments.
     */
    private final class Writer implements Runnable {
        private final String node;
        private final long idBase;
        private final AtomicBoolean writing = new AtomicBoolean(true);
        private final AtomicLong committed = new AtomicLong();
        private final AtomicLongArray increments = new AtomicLongArray(COUNTERS);

        Writer(String node, int index) {
            this.node = node;
            this.idBase = index * 1_000_000_000L;
        }

        long committed() {
            return committed.get();
        }

        void stop() {
            writing.set(false);
        }

        @Override
        public void run() {
            try (Connection connection = cluster.connect(node);
                    PreparedStatement ledger = connection.prepareStatement(
                            "INSERT INTO it.ledger (id, origin, payload) VALUES (?, ?, ?)");
                    PreparedStatement counter = connection.prepareStatement("UPDATE it.counters SET n = n + ? WHERE id = ?")) {
                connection.setAutoCommit(false);
                long seq = 0;
                while (writing.get()) {
                    int index = (int) (seq % COUNTERS);
                    long delta = 1 + seq % 7;
                    try {
                        ledger.setLong(1, idBase + seq);
                        ledger.setString(2, node);
                        ledger.setString(3, node + " transaction " + seq);
                        ledger.executeUpdate();
                        counter.setLong(1, delta);
                        counter.setInt(2, index + 1);
                        if (counter.executeUpdate() != 1) {
                            throw new IllegalStateException("counter " + (index + 1) + " missing at " + node);
                        }
                        connection.commit();
                    } catch (SQLException e) {
                        // A deadlock with the applier on the same counter: this transaction did not happen.
                        connection.rollback();
                        continue;
                    }
                    increments.addAndGet(index, delta);
                    committed.incrementAndGet();
                    seq++;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(40)); // pace the load, not a wait for an outcome
                }
            } catch (SQLException e) {
                throw new IllegalStateException("[" + node + " writer] " + e.getMessage(), e);
            }
        }
    }
}
