package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.config.TopologyKind;
import io.syncline.it.support.DcCluster;
import io.syncline.it.support.TopologyWorkload;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A star with hub dc-a and leaves dc-b, dc-c, each DC with its own PostgreSQL and Kafka. */
class StarTopologyIT {

    @Test
    void concurrentWritesConvergeThroughTheHubAndEveryTransactionIsAppliedOnceAtEveryOtherNode() throws Exception {
        try (DcCluster cluster = TopologyWorkload.cluster(3, TopologyKind.STAR, Duration.ofSeconds(3))) {
            cluster.startAllNodes();
            TopologyWorkload.runUntilConverged(cluster, 15, 80, Duration.ofSeconds(90));
            assertThat(TopologyWorkload.forwarded(cluster)).as("forwarded by the hub").isPositive();
            assertThat(cluster.node("dc-b").allLinks()).allSatisfy(link -> assertThat(link.forwardedTransactions()).isZero());
        }
    }
}
