package io.syncline.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CatchUpEstimateTest {

    private final CatchUpEstimate estimate = new CatchUpEstimate(Duration.ofSeconds(30), Duration.ofSeconds(4));

    @Test
    void aShrinkingGapIsDividedByItsNetRate() {
        estimate.record(0, 10_000);
        estimate.record(2_000, 9_000);
        CatchUpEstimate.Estimate e = estimate.record(4_000, 8_000);
        // 2,000 fewer in 4 s: 500 per second net of what the upstream published meanwhile.
        assertThat(e.trend()).isEqualTo(CatchUpEstimate.Trend.CATCHING_UP);
        assertThat(e.seconds()).isCloseTo(16.0, within(1e-9));
    }

    @Test
    void aGapThatDoesNotShrinkIsNeverCaughtUp() {
        estimate.record(0, 100);
        estimate.record(2_000, 100);
        CatchUpEstimate.Estimate e = estimate.record(4_000, 150);
        assertThat(e.trend()).isEqualTo(CatchUpEstimate.Trend.NOT_CATCHING_UP);
        assertThat(e.seconds()).isInfinite().isPositive();
    }

    @Test
    void nothingBehindIsCaughtUpAtOnce() {
        assertThat(estimate.record(0, 0)).isEqualTo(new CatchUpEstimate.Estimate(CatchUpEstimate.Trend.CAUGHT_UP, 0));
    }

    @Test
    void tooShortAWindowOrAnUnknownGapIsUnknown() {
        estimate.record(0, 1_000);
        assertThat(estimate.record(2_000, 500).trend()).isEqualTo(CatchUpEstimate.Trend.UNKNOWN);
        assertThat(estimate.record(4_000, -1)).isEqualTo(CatchUpEstimate.Estimate.UNKNOWN);
        // The window starts again after an unknown sample.
        assertThat(estimate.record(6_000, 400).trend()).isEqualTo(CatchUpEstimate.Trend.UNKNOWN);
    }

    @Test
    void onlyTheRecentWindowCounts() {
        estimate.record(0, 100_000);
        estimate.record(10_000, 1_000);
        estimate.record(40_000, 1_000);
        // The fast drop 40 s ago left the window; since then the gap stood still.
        CatchUpEstimate.Estimate e = estimate.record(50_000, 1_000);
        assertThat(e.trend()).isEqualTo(CatchUpEstimate.Trend.NOT_CATCHING_UP);
    }
}
