package io.syncline.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentLagTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final RecentLag lag = new RecentLag(Duration.ofSeconds(10), 7, now::get);

    @Test
    void percentilesFollowTheSamplesOfTheWindow() {
        for (int millis = 1; millis <= 100; millis++) {
            lag.record(millis);
        }
        RecentLag.Snapshot snapshot = lag.snapshot();
        assertThat(snapshot.count()).isEqualTo(100);
        assertThat(snapshot.p50Millis()).isEqualTo(50);
        assertThat(snapshot.p99Millis()).isEqualTo(99);
        assertThat(snapshot.maxMillis()).isEqualTo(100);
    }

    @Test
    void anIdleNodeShowsNoLagOnceTheWindowHasPassed() {
        lag.record(21_000);
        lag.record(60_000);
        now.addAndGet(30_000);
        assertThat(lag.snapshot().p99Millis()).isEqualTo(60_000);

        now.addAndGet(45_000);
        assertThat(lag.snapshot()).isEqualTo(new RecentLag.Snapshot(0, 0, 0, 0));
    }

    @Test
    void samplesLeaveTheWindowSliceBySlice() {
        lag.record(5_000);
        now.addAndGet(40_000);
        lag.record(10);
        now.addAndGet(30_000);
        RecentLag.Snapshot snapshot = lag.snapshot();
        assertThat(snapshot.count()).isEqualTo(1);
        assertThat(snapshot.maxMillis()).isEqualTo(10);
    }

    @Test
    void largeLagIsKeptWithinOneSixtyFourthAndBeyondAMinute() {
        lag.record(3_600_000);
        RecentLag.Snapshot snapshot = lag.snapshot();
        assertThat(snapshot.maxMillis()).isEqualTo(3_600_000);
        assertThat(snapshot.p50Millis()).isBetween(3_600_000L, 3_600_000L + 3_600_000L / 64);

        for (long value : new long[] {127, 128, 129, 1000, 65_535, 1_000_000}) {
            int bucket = RecentLag.bucket(value);
            assertThat(RecentLag.upperBound(bucket)).isGreaterThanOrEqualTo(value).isLessThanOrEqualTo(value + value / 64);
            assertThat(bucket == 0 || RecentLag.upperBound(bucket - 1) < value).isTrue();
        }
    }

    @Test
    void negativeLagFromClockSkewCountsAsZero() {
        lag.record(-50);
        assertThat(lag.snapshot().maxMillis()).isZero();
    }
}
