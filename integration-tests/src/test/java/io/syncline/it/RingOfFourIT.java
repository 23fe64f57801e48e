package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.config.TopologyKind;
import io.syncline.it.support.DcCluster;
import io.syncline.it.support.TopologyWorkload;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A ring of four DCs, each with its own PostgreSQL and Kafka: changes travel up to three hops. */
class RingOfFourIT {

    @Test
    void concurrentWritesConvergeAroundTheRingAndEveryTransactionIsAppliedOnceAtEveryOtherNode() throws Exception {
        try (DcCluster cluster = TopologyWorkload.cluster(4, TopologyKind.RING, Duration.ofSeconds(5))) {
            cluster.startAllNodes();
            TopologyWorkload.runUntilConverged(cluster, 10, 60, Duration.ofSeconds(120));
            assertThat(TopologyWorkload.forwarded(cluster)).as("forwarded").isPositive();
        }
    }
}
