package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.core.config.TopologyKind;
import io.syncline.it.support.DcCluster;
import io.syncline.it.support.TopologyWorkload;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/** Three DCs that all read each other directly, each with its own PostgreSQL and Kafka. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AllToAllTopologyIT {

    private DcCluster cluster;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = TopologyWorkload.cluster(3, TopologyKind.ALL_TO_ALL, Duration.ofSeconds(3));
        cluster.startAllNodes();
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void concurrentWritesConvergeWithoutForwardingAndEveryTransactionIsAppliedOnce() throws Exception {
        TopologyWorkload.runUntilConverged(cluster, 15, 80, Duration.ofSeconds(90));
        assertThat(TopologyWorkload.forwarded(cluster)).as("forwarded").isZero();
    }

    @Test
    @Order(2)
    void anUpdateThatOvertakesTheInsertOfItsRowEndsInTheLatestVersionEverywhere() throws Exception {
        cluster.stopNode("dc-c");
        cluster.execute("dc-a", "INSERT INTO it.shared VALUES (1000, 'inserted by dc-a', 'dc-a', 0)");
        await().atMost(Duration.ofSeconds(60)).until(() -> cluster.queryLong("dc-b", "SELECT count(*) FROM it.shared WHERE id = 1000") == 1);
        cluster.execute("dc-b", "UPDATE it.shared SET val = 'updated by dc-b', writer = 'dc-b' WHERE id = 1000");
        await().atMost(Duration.ofSeconds(60)).until(() -> row("dc-a").equals(List.of("updated by dc-b", "dc-b")));

        // dc-c comes back while dc-a's Kafka is away: it gets dc-b's update before dc-a's insert.
        cluster.kafka("dc-a").stop();
        try {
            cluster.startNode("dc-c");
            long bAtA = position("dc-a", "dc-b");
            await().atMost(Duration.ofSeconds(60)).until(() -> position("dc-c", "dc-b") >= bAtA);
            assertThat(position("dc-c", "dc-a")).as("dc-a's insert has not reached dc-c yet").isLessThan(position("dc-b", "dc-a"));
        } finally {
            cluster.kafka("dc-a").start();
        }
        long aAtB = position("dc-b", "dc-a");
        await().atMost(Duration.ofSeconds(90)).until(() -> position("dc-c", "dc-a") >= aAtB);
        for (String node : cluster.names()) {
            assertThat(row(node)).as("row 1000 at %s", node).isEqualTo(List.of("updated by dc-b", "dc-b"));
        }
        TopologyWorkload.assertConverged(cluster);
    }

    private List<String> row(String node) throws Exception {
        List<List<String>> rows = cluster.queryRows(node, "SELECT val, writer FROM it.shared WHERE id = 1000");
        return rows.isEmpty() ? List.of() : rows.get(0);
    }

    private long position(String node, String origin) throws Exception {
        List<List<String>> rows = cluster.queryRows(node, "SELECT position FROM syncline.applied_position WHERE origin_node = '"
                + origin + "'");
        return rows.isEmpty() ? -1 : Long.parseLong(rows.get(0).get(0));
    }
}
