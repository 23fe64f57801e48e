package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.it.support.DcCluster;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Tombstones are collected once every peer has applied past their deletes, never earlier: three
 * datacenters, one of them down while a row it updated is deleted elsewhere. The others keep the
 * tombstone while it is down (its old update is still on its way), resolve the late update against
 * it, and collect it only once the returning node has reported its progress; a key inserted again
 * afterwards replicates as a new row, without a conflict.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TombstoneCollectionIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String A = "dc-a";
    private static final String B = "dc-b";
    private static final String C = "dc-c";
    private static final String TOMBSTONES_OF_KEY_1 =
            "SELECT count(*) FROM syncline.tombstone WHERE table_name = 'it.item' AND pk->>'id' = '1'";

    private DcCluster cluster;

    @BeforeAll
    void start() {
        cluster = DcCluster.builder().nodes(3).schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.item (id int PRIMARY KEY, v text)")
                .replicate("it.item").start();
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aTombstoneWaitsForEveryPeerAndIsThenCollectedEverywhere() throws Exception {
        cluster.startAllNodes();
        cluster.execute(A, "INSERT INTO it.item VALUES (1, 'a1'), (2, 'a2')");
        cluster.awaitQuiet(WAIT);

        // dc-c is down: its update of row 1 waits in its WAL, concurrent with dc-a's delete.
        cluster.stopNode(C);
        cluster.execute(C, "UPDATE it.item SET v = 'c1' WHERE id = 1");
        cluster.execute(A, "DELETE FROM it.item WHERE id = 1");
        await("dc-b applies the delete").atMost(WAIT)
                .until(() -> cluster.queryLong(B, "SELECT count(*) FROM it.item WHERE id = 1") == 0);

        // Several collection cycles pass while dc-c is silent: nobody may drop the tombstone.
        long cycles = 4;
        Thread.sleep(cycles * 2_000 + 1_000);
        for (String node : List.of(A, B)) {
            assertThat(cluster.queryLong(node, TOMBSTONES_OF_KEY_1)).as("tombstone of key 1 kept at %s", node).isEqualTo(1);
            assertThat(cluster.queryLong(node, "SELECT count(*) FROM syncline.peer_progress WHERE peer = 'dc-c'"))
                    .as("no progress from the stopped dc-c at %s", node).isZero();
            assertThat(cluster.node(node).tombstonesHeld()).as("tombstones %s reports holding", node).isEqualTo(1);
        }

        // dc-c returns: its old update meets the tombstone, the newer delete wins everywhere.
        cluster.startNode(C);
        cluster.awaitQuiet(WAIT);
        for (String node : cluster.names()) {
            assertThat(cluster.queryLong(node, "SELECT count(*) FROM it.item WHERE id = 1")).as("row 1 at %s", node).isZero();
            assertThat(cluster.queryLong(node, "SELECT count(*) FROM syncline.conflict_log WHERE table_name = 'it.item'"
                    + " AND pk->>'id' = '1' AND conflict_type IN ('update_delete', 'delete_update') "
                    + " AND (winner = 'remote') = (conflict_type = 'update_delete')"))
                    .as("the late update resolved against the delete at %s", node).isEqualTo(1);
        }

        // Every node reports, and each collects its tombstone of key 1.
        await("the tombstone of key 1 collected at every node").atMost(WAIT).until(() -> {
            for (String node : cluster.names()) {
                if (cluster.queryLong(node, TOMBSTONES_OF_KEY_1) != 0) {
                    return false;
                }
            }
            return true;
        });
        long conflictsBefore = conflicts();

        // The key, inserted again after collection, is a new row everywhere, with no conflict.
        cluster.execute(B, "INSERT INTO it.item VALUES (1, 'b1 again')");
        await("the new row 1 everywhere").atMost(WAIT).until(() -> {
            for (String node : cluster.names()) {
                if (!"b1 again".equals(cluster.queryString(node, "SELECT v FROM it.item WHERE id = 1"))) {
                    return false;
                }
            }
            return true;
        });
        cluster.awaitQuiet(WAIT);
        assertThat(conflicts()).as("conflicts logged after the re-insert").isEqualTo(conflictsBefore);
        assertThat(cluster.compare(Map.of("it.item", "id")).examples()).as("rows that differ, metadata included").isEmpty();

        // Nothing waits any more: the progress reports stop, so an idle cluster stays quiet.
        await("no node awaiting progress").atMost(WAIT).until(() -> {
            for (String node : cluster.names()) {
                if (cluster.queryLong(node, "SELECT count(*) FROM syncline.progress_report WHERE awaiting") != 0) {
                    return false;
                }
            }
            return true;
        });
        long outboxA = cluster.outboxEndOffset(A);
        Thread.sleep(3 * 2_000 + 1_000);
        assertThat(cluster.outboxEndOffset(A)).as("dc-a's outbox while idle").isEqualTo(outboxA);
    }

    private long conflicts() throws SQLException {
        long total = 0;
        for (String node : cluster.names()) {
            total += cluster.queryLong(node, "SELECT count(*) FROM syncline.conflict_log");
        }
        return total;
    }
}
