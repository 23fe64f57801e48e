package io.syncline.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NodeLeaseTest {

    @Test
    void lockKeyIsTheCrcOfTheNodeId() {
        // The key must not change between releases: a standby of one release waits for an active node of another.
        assertThat(NodeLease.lockKey("dc-a")).isEqualTo(1158594832);
        assertThat(NodeLease.lockKey("dc-a")).isNotEqualTo(NodeLease.lockKey("dc-b"));
        assertThat(NodeLease.LOCK_CLASS).isEqualTo(1398361667);
    }

    @Test
    void standbyPollsATenthOfTheFailureTimeoutBetween50MillisAndOneSecond() {
        assertThat(LeaseCheck.standbyPollInterval(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(1));
        assertThat(LeaseCheck.standbyPollInterval(Duration.ofSeconds(5))).isEqualTo(Duration.ofMillis(500));
        assertThat(LeaseCheck.standbyPollInterval(Duration.ofMillis(200))).isEqualTo(Duration.ofMillis(50));
    }
}
