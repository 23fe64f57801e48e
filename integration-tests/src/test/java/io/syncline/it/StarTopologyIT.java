package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.core.config.TopologyKind;
import io.syncline.it.support.DcCluster;
import io.syncline.it.support.TopologyWorkload;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A star with hub dc-a and leaves dc-b, dc-c, each DC with its own PostgreSQL and Kafka. */
class StarTopologyIT {

    @Test
    void concurrentWritesConvergeThroughTheHubAndEveryTransactionIsAppliedOnceAtEveryOtherNode() throws Exception {
        try (DcCluster cluster = TopologyWorkload.cluster(3, TopologyKind.STAR, Duration.ofSeconds(3))) {
            cluster.startAllNodes();
            Map<String, Integer> committed;
            try (TopologyWorkload workload = new TopologyWorkload(cluster, 15, System.nanoTime())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> cluster.names().stream().allMatch(n -> workload.written(n) >= 80));
                committed = workload.stop();
                workload.awaitAllApplied(committed, Duration.ofSeconds(90));
                workload.assertAppliedExactlyOnceInOrder(committed);
            }
            TopologyWorkload.assertLinkCountersExact(cluster, committed);
            TopologyWorkload.assertConverged(cluster);
            assertThat(TopologyWorkload.forwarded(cluster)).as("forwarded by the hub").isPositive();
            assertThat(cluster.node("dc-b").allLinks()).allSatisfy(link -> assertThat(link.forwardedTransactions()).isZero());
        }
    }
}
