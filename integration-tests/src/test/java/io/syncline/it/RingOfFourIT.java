package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.core.config.TopologyKind;
import io.syncline.it.support.DcCluster;
import io.syncline.it.support.TopologyWorkload;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A ring of four DCs, each with its own PostgreSQL and Kafka: changes travel up to three hops. */
class RingOfFourIT {

    @Test
    void concurrentWritesConvergeAroundTheRingAndEveryTransactionIsAppliedOnceAtEveryOtherNode() throws Exception {
        try (DcCluster cluster = TopologyWorkload.cluster(4, TopologyKind.RING, Duration.ofSeconds(5))) {
            cluster.startAllNodes();
            Map<String, Integer> committed;
            try (TopologyWorkload workload = new TopologyWorkload(cluster, 10, System.nanoTime())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> cluster.names().stream().allMatch(n -> workload.written(n) >= 60));
                committed = workload.stop();
                workload.awaitAllApplied(committed, Duration.ofSeconds(120));
                workload.assertAppliedExactlyOnceInOrder(committed);
            }
            TopologyWorkload.assertLinkCountersExact(cluster, committed);
            TopologyWorkload.assertConverged(cluster);
            assertThat(TopologyWorkload.forwarded(cluster)).as("forwarded").isPositive();
        }
    }
}
