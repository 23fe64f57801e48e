package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.core.config.TopologyKind;
import io.syncline.it.support.DcCluster;
import io.syncline.it.support.TopologyWorkload;
import io.syncline.node.runtime.LinkStatus;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/** A ring dc-a -> dc-b -> dc-c -> dc-a, each DC with its own PostgreSQL and Kafka. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RingTopologyIT {

    private static final Duration FAILURE_TIMEOUT = Duration.ofSeconds(3);
    private DcCluster cluster;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = TopologyWorkload.cluster(3, TopologyKind.RING, FAILURE_TIMEOUT);
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
    void concurrentWritesConvergeAndEveryTransactionIsAppliedOnceAtEveryOtherNode() throws Exception {
        TopologyWorkload.runUntilConverged(cluster, 15, 80, Duration.ofSeconds(90));
        assertThat(TopologyWorkload.forwarded(cluster)).as("forwarded").isPositive();
    }

    @Test
    @Order(2)
    void theRingClosesAroundAKilledNodeWhichCatchesUpAfterRestart() throws Exception {
        Map<String, Integer> committed;
        try (TopologyWorkload workload = new TopologyWorkload(cluster, 10, System.nanoTime())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> workload.written("dc-b") >= 20);
            cluster.stopNode("dc-b");
            int writtenAtKill = workload.written("dc-a");

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(cluster.node("dc-c").status().links())
                    .extracting(LinkStatus::upstream, LinkStatus::role)
                    .contains(org.assertj.core.groups.Tuple.tuple("dc-a", "instead of dc-b")));
            // Progress among the survivors while dc-b is down: dc-a's new writes reach dc-c only around dc-b.
            await().atMost(Duration.ofSeconds(60)).until(() -> workload.eventsAt("dc-c", "dc-a") >= writtenAtKill + 30);
            int cWritten = workload.written("dc-c");
            await().atMost(Duration.ofSeconds(60)).until(() -> workload.eventsAt("dc-a", "dc-c") >= cWritten);
            assertThat(cluster.node("dc-c").status().down()).containsExactly("dc-b");

            int bAtRestart = workload.written("dc-b");
            cluster.startNode("dc-b");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(cluster.node("dc-c").status().links())
                    .extracting(LinkStatus::upstream).containsExactly("dc-b"));
            await().atMost(Duration.ofSeconds(30)).until(() -> workload.written("dc-b") >= bAtRestart + 20);
            committed = workload.stop();
            workload.awaitAllApplied(committed, Duration.ofSeconds(120));
            workload.assertAppliedExactlyOnceInOrder(committed);
        }
        TopologyWorkload.assertConverged(cluster);
    }
}
