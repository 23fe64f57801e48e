package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.it.support.AppliedPositionAudit;
import io.syncline.it.support.DcCluster;
import io.syncline.it.support.DcCluster.OutboxRecord;
import io.syncline.it.support.NodeProcess;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes as separate OS processes under a steady write load on both datacenters; dc-b's
 * node is killed (SIGKILL) in the middle and started again.
 *
 * <p>How "nothing applied twice" is proven, three ways; the first two by test-only triggers that
 * record, on every database, what apply sessions (the sessions with a replication origin) write.
 * <ul>
 *   <li>{@code it_audit.row_writes}: one row per row version an apply session wrote, as
 *       (table, operation, key, syncline_hlc, syncline_node). Every version must appear at most
 *       once, and every remote ledger row exactly once.
 *   <li>{@code it_audit.position_advances}: one row per update of {@code syncline.applied_position}
 *       (origin, from, to). Per origin the updates must form one strictly increasing chain
 *       (each starts where the previous ended).
 *   <li>the appliers' own counts per source transaction, from the nodes' status lines: dc-a applied
 *       each of dc-b's transactions once; the restarted dc-b applied exactly those of dc-a's it had
 *       not applied when it was killed, and reported every other one it read as a duplicate.
 * </ul>
 * Row versions alone cannot show a duplicate apply: the version-vector check turns a re-applied
 * row version into a no-op, and a batch of re-read transactions that ends with new ones moves the
 * applied position forward in one step. The per-transaction counts are what would be too high
 * without the skip by applied position. While dc-b is down,
 * its stored Kafka offset for dc-a is rewound to the start of dc-a's outbox: Kafka offsets are a
 * hint, the database is the truth, so every transaction dc-b reads again must be recognised as
 * applied. dc-b's capture, killed between offset flushes, also publishes some transactions again,
 * which dc-a must skip the same way.
 */
class NodeCrashIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String A = "dc-a";
    private static final String B = "dc-b";
    private static final int COUNTERS_PER_NODE = 5;

    private DcCluster cluster;
    /** dc-a's position dc-b had applied when it was killed. */
    private long appliedAtKill;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void killedNodeResumesWithoutLossOrDoubleApply() throws Exception {
        long startedAt = System.nanoTime();
        cluster = DcCluster.builder()
                .nodes(2)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.ledger (id bigint PRIMARY KEY, origin text NOT NULL, tx_seq bigint NOT NULL,"
                        + " payload text NOT NULL)")
                .schema("CREATE TABLE it.counters (id int PRIMARY KEY, owner text NOT NULL, n bigint NOT NULL)")
                .replicate("it.ledger", "it.counters")
                .start();
        for (String node : cluster.names()) {
            installApplyAudit(node);
        }
        Map<String, NodeProcess> processes = new TreeMap<>();
        for (String node : cluster.names()) {
            processes.put(node, cluster.startNodeProcess(node));
        }
        System.out.printf("[timing] %s: 2 datacenters, node processes %s running in %d ms%n", cluster.backendName(),
                processes.values(), millisSince(startedAt));

        Map<String, Writer> writers = Map.of(A, new Writer(A, 0), B, new Writer(B, 1));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        List<Future<?>> running = new ArrayList<>();
        try {
            writers.values().forEach(w -> running.add(threads.submit(w)));
            awaitCommitted(writers, 60, running);
            // Killed while it applies: some of dc-a's transactions applied, more on the way.
            await("dc-b applying dc-a's transactions").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> cluster.appliedPositions(B).containsKey(A));

            processes.get(B).kill();
            long killedAt = System.nanoTime();
            appliedAtKill = cluster.appliedPositions(B).getOrDefault(A, -1L);
            System.out.printf("[crash] killed %s's node (SIGKILL) after %d / %d transactions on dc-a / dc-b%n", B,
                    writers.get(A).committed(), writers.get(B).committed());
            awaitCommitted(writers, writers.get(A).committed() + 80, running);
            // While dc-b is down its stored offset is lost: it must read dc-a's whole outbox again and skip what it applied.
            cluster.execute(B, "UPDATE syncline.link_offset SET next_offset = 0 WHERE upstream_node = '" + A + "'");
            processes.put(B, cluster.startNodeProcess(B));
            System.out.printf("[crash] %s's node down for %d ms, restarted as %s%n", B, millisSince(killedAt), processes.get(B));
            awaitCommitted(writers, writers.get(A).committed() + 60, running);
        } finally {
            writers.values().forEach(Writer::stop);
            threads.shutdown();
        }
        for (Future<?> writer : running) {
            writer.get(60, TimeUnit.SECONDS);
        }
        Duration drain = cluster.awaitQuiet(WAIT);
        System.out.printf("[crash] committed %d transactions on dc-a, %d on dc-b; quiet %d ms after the writes stopped%n",
                writers.get(A).committed(), writers.get(B).committed(), drain.toMillis());

        assertNothingLost(writers);
        assertThat(cluster.compare(Map.of("it.ledger", "id", "it.counters", "id")).examples()).as("rows that differ").isEmpty();
        assertNothingAppliedTwice(writers);

        List<OutboxRecord> outboxB = cluster.outbox(B);
        long republished = outboxB.size() - outboxB.stream().map(OutboxRecord::position).distinct().count();
        System.out.printf("[crash] %s's outbox: %d records, %d of them transactions published again after the kill%n", B,
                outboxB.size(), republished);
        processes.values().forEach(p -> assertThat(p.isAlive()).as("%s still running", p).isTrue());
        assertEachTransactionAppliedOnce(processes, writers, republished);
    }

    /**
     * The appliers' own account, per source transaction: dc-a (never killed) applied each of dc-b's
     * transactions once and skipped every re-published one; the restarted dc-b applied exactly the
     * transactions of dc-a it had not applied before the kill and skipped all the others it read
     * again from the rewound offset. Row versions cannot show this (re-applying a row version is a
     * no-op), these counts can: without the skip by applied position they would be too high.
     */
    private void assertEachTransactionAppliedOnce(Map<String, NodeProcess> processes, Map<String, Writer> writers,
            long republishedByB) {
        long appliedBeforeKill = cluster.outbox(A).stream().filter(r -> r.position() <= appliedAtKill).count();
        assertThat(appliedBeforeKill).as("dc-a's transactions dc-b had applied when it was killed").isPositive();
        Map<String, NodeProcess.LinkCounts> expected = Map.of(
                A, new NodeProcess.LinkCounts(writers.get(B).committed(), -1, republishedByB),
                B, new NodeProcess.LinkCounts(writers.get(A).committed() - appliedBeforeKill, -1, appliedBeforeKill));
        for (String node : cluster.names()) {
            String upstream = node.equals(A) ? B : A;
            NodeProcess.LinkCounts want = expected.get(node);
            await(node + " reporting its link's final counts").atMost(WAIT).pollInterval(Duration.ofMillis(500))
                    .until(() -> processes.get(node).lastLinkStatus(upstream)
                            .map(c -> c.appliedTransactions() + c.duplicateTransactions()
                                    >= want.appliedTransactions() + want.duplicateTransactions())
                            .orElse(false));
            NodeProcess.LinkCounts reported = processes.get(node).lastLinkStatus(upstream).orElseThrow();
            System.out.printf("[crash] %s <- %s since its process started: %s (expected %d applied, %d duplicates)%n",
                    node, upstream, reported, want.appliedTransactions(), want.duplicateTransactions());
            assertThat(reported.appliedTransactions()).as("%s's transactions applied by %s's process", upstream, node)
                    .isEqualTo(want.appliedTransactions());
            assertThat(reported.duplicateTransactions()).as("%s's transactions %s's process skipped as applied", upstream, node)
                    .isEqualTo(want.duplicateTransactions());
        }
    }

    /** Every row committed anywhere is everywhere, and every counter has all its increments. */
    private void assertNothingLost(Map<String, Writer> writers) throws SQLException {
        for (String node : cluster.names()) {
            for (Writer writer : writers.values()) {
                long transactions = writer.committed();
                List<String> ledger = cluster.queryRows(node, "SELECT count(*), count(DISTINCT tx_seq), min(tx_seq),"
                        + " max(tx_seq) FROM it.ledger WHERE origin = '" + writer.node + "'").get(0);
                assertThat(ledger).as("ledger rows of %s on %s: count, transactions, first, last", writer.node, node)
                        .containsExactly(String.valueOf(2 * transactions), String.valueOf(transactions), "0",
                                String.valueOf(transactions - 1));
                for (Map.Entry<Integer, AtomicLong> counter : writer.increments.entrySet()) {
                    assertThat(cluster.queryLong(node, "SELECT n FROM it.counters WHERE id = " + counter.getKey()))
                            .as("counter %d of %s on %s", counter.getKey(), writer.node, node)
                            .isEqualTo(counter.getValue().get());
                }
            }
        }
    }

    private void assertNothingAppliedTwice(Map<String, Writer> writers) throws SQLException {
        for (String node : cluster.names()) {
            String origin = node.equals(A) ? B : A;
            assertThat(cluster.queryRows(node, "SELECT table_name, op, pk, hlc, node, count(*) FROM it_audit.row_writes"
                    + " GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1"))
                    .as("row versions the applier wrote more than once on %s", node).isEmpty();
            assertThat(cluster.queryRows(node, "SELECT count(*), count(DISTINCT pk), min(node), max(node)"
                    + " FROM it_audit.row_writes WHERE table_name = 'ledger' AND op = 'INSERT'").get(0))
                    .as("ledger rows of %s applied on %s: inserts, distinct keys, origin", origin, node)
                    .containsExactly(String.valueOf(2 * writers.get(origin).committed()),
                            String.valueOf(2 * writers.get(origin).committed()), origin, origin);
            assertThat(cluster.queryLong(node, "SELECT count(*) FROM it_audit.row_writes WHERE table_name = 'ledger' AND op <> 'INSERT'"))
                    .as("ledger rows (insert-only) updated or deleted by the applier on %s", node).isZero();

            AppliedPositionAudit.Chain chain = AppliedPositionAudit.assertOneChain(cluster, node, origin);
            assertThat(cluster.appliedPositions(node)).containsEntry(origin, chain.last());
            System.out.printf("[crash] %s: %d row versions applied, once each; %d target transactions advanced %s's position%n",
                    node, cluster.queryLong(node, "SELECT count(*) FROM it_audit.row_writes"), chain.moves(), origin);
        }
    }

    /** Test-only triggers recording what apply sessions (replication origin set) write; see the class comment. */
    private void installApplyAudit(String node) throws SQLException {
        AppliedPositionAudit.install(cluster, node);
        cluster.execute(node,
                "CREATE TABLE it_audit.row_writes (seq bigserial PRIMARY KEY, target_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),"
                        + " table_name text NOT NULL, op text NOT NULL, pk text NOT NULL, hlc bigint NOT NULL, node text NOT NULL)",
                """
                CREATE FUNCTION it_audit.row_write() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF pg_replication_origin_session_is_setup() THEN
                        IF TG_OP = 'DELETE' THEN
                            INSERT INTO it_audit.row_writes (table_name, op, pk, hlc, node)
                            VALUES (TG_TABLE_NAME, TG_OP, OLD.id::text, OLD.syncline_hlc, OLD.syncline_node);
                        ELSE
                            INSERT INTO it_audit.row_writes (table_name, op, pk, hlc, node)
                            VALUES (TG_TABLE_NAME, TG_OP, NEW.id::text, NEW.syncline_hlc, NEW.syncline_node);
                        END IF;
                    END IF;
                    RETURN NULL;
                END $$""",
                "CREATE TRIGGER it_audit AFTER INSERT OR UPDATE OR DELETE ON it.ledger FOR EACH ROW EXECUTE FUNCTION it_audit.row_write()",
                "CREATE TRIGGER it_audit AFTER INSERT OR UPDATE OR DELETE ON it.counters FOR EACH ROW EXECUTE FUNCTION it_audit.row_write()");
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
     * The application of one datacenter: small transactions, each inserting two ledger rows with
     * unique ids and incrementing one of this datacenter's counters; about 25 transactions/s.
     */
    private final class Writer implements Runnable {
        private final String node;
        private final long idBase;
        private final int counterBase;
        private final AtomicBoolean writing = new AtomicBoolean(true);
        private final AtomicLong committed = new AtomicLong();
        private final Map<Integer, AtomicLong> increments = new ConcurrentHashMap<>();

        Writer(String node, int index) {
            this.node = node;
            this.idBase = index * 1_000_000_000L;
            this.counterBase = index * 100;
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
                            "INSERT INTO it.ledger (id, origin, tx_seq, payload) VALUES (?, ?, ?, ?), (?, ?, ?, ?)");
                    PreparedStatement counter = connection.prepareStatement("INSERT INTO it.counters (id, owner, n)"
                            + " VALUES (?, ?, 1) ON CONFLICT (id) DO UPDATE SET n = it.counters.n + 1")) {
                connection.setAutoCommit(false);
                while (writing.get()) {
                    long seq = committed.get();
                    for (int k = 0; k < 2; k++) {
                        ledger.setLong(4 * k + 1, idBase + 2 * seq + k);
                        ledger.setString(4 * k + 2, node);
                        ledger.setLong(4 * k + 3, seq);
                        ledger.setString(4 * k + 4, node + " transaction " + seq + " row " + k);
                    }
                    ledger.executeUpdate();
                    int counterId = counterBase + (int) (seq % COUNTERS_PER_NODE);
                    counter.setInt(1, counterId);
                    counter.setString(2, node);
                    counter.executeUpdate();
                    connection.commit();
                    increments.computeIfAbsent(counterId, id -> new AtomicLong()).incrementAndGet();
                    committed.incrementAndGet();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(40)); // pace the load, not a wait for an outcome
                }
            } catch (SQLException e) {
                throw new IllegalStateException("[" + node + " writer] " + e.getMessage(), e);
            }
        }
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }
}
