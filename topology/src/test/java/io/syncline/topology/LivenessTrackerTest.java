package io.syncline.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LivenessTrackerTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final InMemoryHeartbeats heartbeats = new InMemoryHeartbeats();
    private final LivenessTracker tracker = new LivenessTracker(List.of("dc-a", "dc-b"), Duration.ofSeconds(5), nanos::get);

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    private void beatBothFor(int seconds) {
        for (int i = 0; i < seconds; i++) {
            heartbeats.beat("dc-a");
            heartbeats.beat("dc-b");
            tracker.check(heartbeats);
            advance(Duration.ofSeconds(1));
        }
    }

    @Test
    void peersCountAsAliveForOneTimeoutAfterStartEvenWithoutHeartbeats() {
        advance(Duration.ofSeconds(5));
        assertThat(tracker.check(heartbeats)).isFalse();
        assertThat(tracker.dead()).isEmpty();
        advance(Duration.ofMillis(1));
        assertThat(tracker.check(heartbeats)).isTrue();
        assertThat(tracker.dead()).containsExactly("dc-a", "dc-b");
    }

    @Test
    void aPeerWhoseHeartbeatStandsStillForTheTimeoutIsDown() {
        beatBothFor(3);
        for (int i = 0; i < 5; i++) {
            heartbeats.beat("dc-a");
            assertThat(tracker.check(heartbeats)).isFalse();
            advance(Duration.ofSeconds(1));
        }
        heartbeats.beat("dc-a");
        assertThat(tracker.check(heartbeats)).isTrue();
        assertThat(tracker.dead()).containsExactly("dc-b");
        assertThat(tracker.silentFor("dc-b")).isEqualTo(Duration.ofSeconds(6));
        assertThat(tracker.snapshot()).extracting(LivenessTracker.PeerLiveness::alive).containsExactly(true, false);
    }

    @Test
    void aReadableButUnchangedHeartbeatIsNotALiveNode() {
        beatBothFor(1);
        // dc-b's Kafka still answers with the same end offset: the node itself stopped.
        for (int i = 0; i < 6; i++) {
            heartbeats.beat("dc-a");
            tracker.check(heartbeats);
            advance(Duration.ofSeconds(1));
        }
        assertThat(tracker.dead()).containsExactly("dc-b");
    }

    @Test
    void anUnreachableKafkaCountsAsSilence() {
        beatBothFor(1);
        heartbeats.unreachable("dc-a", true);
        for (int i = 0; i < 7; i++) {
            heartbeats.beat("dc-a");
            heartbeats.beat("dc-b");
            tracker.check(heartbeats);
            advance(Duration.ofSeconds(1));
        }
        assertThat(tracker.dead()).containsExactly("dc-a");
    }

    @Test
    void aPeerIsBackWithItsFirstNewHeartbeat() {
        beatBothFor(1);
        advance(Duration.ofSeconds(10));
        assertThat(tracker.check(heartbeats)).isTrue();
        assertThat(tracker.dead()).containsExactly("dc-a", "dc-b");
        heartbeats.beat("dc-b");
        assertThat(tracker.check(heartbeats)).isTrue();
        assertThat(tracker.dead()).containsExactly("dc-a");
        assertThat(tracker.silentFor("dc-b")).isZero();
        assertThat(tracker.check(heartbeats)).isFalse();
    }
}
