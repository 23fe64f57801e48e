package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.it.support.AppliedPositionAudit;
import io.syncline.it.support.DcCluster;
import io.syncline.it.support.NodeProcess;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * dc-b's node applies a backlog of dc-a's transactions already in Kafka with four writers, is
 * killed (SIGKILL) in the middle of it and started again. Test-only triggers on dc-b record what
 * apply sessions (the sessions with a replication origin) write, with the target transaction that
 * wrote it, and every update of {@code syncline.applied_position}. They show:
 * <ul>
 *   <li>exactly once: every row version of dc-a's is written once on dc-b, and the updates of dc-a's
 *       applied position form one chain (each starts where the previous ended), across the kill;
 *   <li>per-key order: the versions of each item are written in dc-a's commit order;
 *   <li>atomicity: the rows of one source transaction are written by one target transaction.
 * </ul>
 * Transaction {@code i} updates item {@code i % 1500} and inserts ledger row {@code i}: a batch cut
 * for four writers holds target transactions with disjoint keys, which run side by side, and some
 * that share items with earlier ones, which must wait for them.
 */
class ParallelApplyCrashIT {

    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String A = "dc-a";
    private static final String B = "dc-b";
    private static final int ITEMS = 1500;
    private static final int TRANSACTIONS = 20_000;
    private static final int WRITERS = 4;

    private DcCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void nodeKilledWhileApplyingWithSeveralWritersAppliesEachTransactionOnceInKeyOrder() throws Exception {
        cluster = DcCluster.builder()
                .nodes(2)
                .applyWriters(WRITERS)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.items (id int PRIMARY KEY, seq bigint NOT NULL)")
                .schema("CREATE TABLE it.ledger (id bigint PRIMARY KEY, item int NOT NULL, payload text NOT NULL)")
                .replicate("it.items", "it.ledger")
                .start();
        installApplyAudit(B);
        NodeProcess nodeA = cluster.startNodeProcess(A);
        cluster.execute(A, "INSERT INTO it.items (id, seq) SELECT g, 0 FROM generate_series(0, " + (ITEMS - 1) + ") g");
        cluster.execute(A, """
                DO $$
                BEGIN
                    FOR i IN 1..%d LOOP
                        UPDATE it.items SET seq = i WHERE id = i %% %d;
                        INSERT INTO it.ledger (id, item, payload) VALUES (i, i %% %d, 'transaction ' || i);
                        COMMIT;
                    END LOOP;
                END $$""".formatted(TRANSACTIONS, ITEMS, ITEMS));
        await("dc-a's backlog in its outbox").atMost(WAIT).pollInterval(Duration.ofSeconds(1))
                .until(() -> cluster.outboxEndOffset(A) > TRANSACTIONS);
        long lastOfA = cluster.outbox(A).stream().mapToLong(DcCluster.OutboxRecord::position).max().orElseThrow();

        NodeProcess nodeB = cluster.startNodeProcess(B);
        nodeB.awaitLogged(WRITERS + " apply writer(s) per link", WAIT);
        await("dc-b in the middle of dc-a's backlog").atMost(WAIT).pollInterval(Duration.ofMillis(10))
                .until(() -> cluster.queryLong(B, "SELECT count(*) FROM it.ledger") >= TRANSACTIONS / 5);
        nodeB.kill();
        long appliedAtKill = cluster.appliedPositions(B).getOrDefault(A, -1L);
        long rowsAtKill = cluster.queryLong(B, "SELECT count(*) FROM it.ledger");
        System.out.printf("[parallel-crash] killed dc-b's node (SIGKILL) at dc-a's position %d of %d, %d of %d ledger rows%n",
                appliedAtKill, lastOfA, rowsAtKill, TRANSACTIONS);
        assertThat(appliedAtKill).as("dc-a's position dc-b had applied when killed").isLessThan(lastOfA);
        assertThat(rowsAtKill).as("ledger rows dc-b had applied when killed").isLessThan(TRANSACTIONS);

        nodeB = cluster.startNodeProcess(B);
        Duration drain = cluster.awaitQuiet(WAIT);
        System.out.printf("[parallel-crash] dc-b caught up %d ms after its restart%n", drain.toMillis());

        assertThat(cluster.compare(Map.of("it.items", "id", "it.ledger", "id")).examples()).as("rows that differ").isEmpty();
        assertEachVersionWrittenOnce();
        assertItemsWrittenInOriginOrder();
        assertSourceTransactionsWrittenWhole();
        assertPositionAdvancesFormOneChain(lastOfA);
        assertTargetTransactionsRanSideBySide();
        assertThat(nodeA.isAlive()).isTrue();
        assertThat(nodeB.isAlive()).isTrue();
    }

    private void assertEachVersionWrittenOnce() throws SQLException {
        assertThat(cluster.queryRows(B, "SELECT table_name, op, pk, version, count(*) FROM it_audit.row_writes"
                + " GROUP BY 1, 2, 3, 4 HAVING count(*) > 1")).as("row versions written more than once on dc-b").isEmpty();
        assertThat(cluster.queryRows(B, "SELECT count(*), count(DISTINCT pk), min(pk::bigint), max(pk::bigint)"
                + " FROM it_audit.row_writes WHERE table_name = 'ledger'").get(0))
                .as("ledger rows written on dc-b: writes, keys, first, last")
                .containsExactly(String.valueOf(TRANSACTIONS), String.valueOf(TRANSACTIONS), "1", String.valueOf(TRANSACTIONS));
        assertThat(cluster.queryLong(B, "SELECT count(*) FROM it_audit.row_writes WHERE table_name = 'items' AND op = 'UPDATE'"))
                .as("item updates written on dc-b").isEqualTo(TRANSACTIONS);
    }

    private void assertItemsWrittenInOriginOrder() throws SQLException {
        List<List<String>> outOfOrder = cluster.queryRows(B, """
                SELECT pk, previous, version FROM (
                    SELECT pk, version, lag(version) OVER (PARTITION BY pk ORDER BY seq) AS previous
                    FROM it_audit.row_writes WHERE table_name = 'items') w
                WHERE previous >= version LIMIT 10""");
        assertThat(outOfOrder).as("item versions written on dc-b after a later one of the same item (item, earlier, later)")
                .isEmpty();
    }

    private void assertSourceTransactionsWrittenWhole() throws SQLException {
        assertThat(cluster.queryRows(B, "SELECT version FROM it_audit.row_writes WHERE version > 0 GROUP BY version"
                + " HAVING count(DISTINCT target_xid) > 1 LIMIT 10"))
                .as("source transactions of dc-a whose rows dc-b wrote in more than one target transaction").isEmpty();
    }

    /** Two target transactions whose writes interleave ran at the same time: the writers did run side by side. */
    private void assertTargetTransactionsRanSideBySide() throws SQLException {
        long overlapping = cluster.queryLong(B, """
                WITH spans AS (SELECT target_xid, min(seq) AS first, max(seq) AS last FROM it_audit.row_writes GROUP BY 1)
                SELECT count(*) FROM spans a JOIN spans b ON a.target_xid <> b.target_xid
                    AND a.first < b.first AND b.first < a.last""");
        System.out.printf("[parallel-crash] %d pairs of target transactions wrote side by side%n", overlapping);
        assertThat(overlapping).as("pairs of target transactions on dc-b whose writes interleave").isPositive();
    }

    private void assertPositionAdvancesFormOneChain(long lastOfA) throws SQLException {
        AppliedPositionAudit.Chain chain = AppliedPositionAudit.assertOneChain(cluster, B, A);
        assertThat(chain.last()).as("dc-a's applied position on dc-b").isEqualTo(lastOfA);
        System.out.printf("[parallel-crash] %d target transactions advanced dc-a's position on dc-b%n", chain.moves());
    }

    /**
     * Test-only triggers recording what apply sessions write: per row the key and the version (the
     * number of dc-a's transaction that wrote it, 0 for the first insert of an item), and per update
     * of an applied position where it moved from and to.
     */
    private void installApplyAudit(String node) throws SQLException {
        AppliedPositionAudit.install(cluster, node);
        cluster.execute(node,
                "CREATE TABLE it_audit.row_writes (seq bigserial PRIMARY KEY, target_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),"
                        + " table_name text NOT NULL, op text NOT NULL, pk text NOT NULL, version bigint NOT NULL)",
                """
                CREATE FUNCTION it_audit.item_write() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF pg_replication_origin_session_is_setup() THEN
                        INSERT INTO it_audit.row_writes (table_name, op, pk, version) VALUES (TG_TABLE_NAME, TG_OP, NEW.id::text, NEW.seq);
                    END IF;
                    RETURN NULL;
                END $$""",
                """
                CREATE FUNCTION it_audit.ledger_write() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF pg_replication_origin_session_is_setup() THEN
                        INSERT INTO it_audit.row_writes (table_name, op, pk, version) VALUES (TG_TABLE_NAME, TG_OP, NEW.id::text, NEW.id);
                    END IF;
                    RETURN NULL;
                END $$""",
                "CREATE TRIGGER it_audit AFTER INSERT OR UPDATE ON it.items FOR EACH ROW EXECUTE FUNCTION it_audit.item_write()",
                "CREATE TRIGGER it_audit AFTER INSERT OR UPDATE ON it.ledger FOR EACH ROW EXECUTE FUNCTION it_audit.ledger_write()");
    }
}
