package io.syncline.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LagHistogramTest {

    @Test
    void percentilesFollowTheRecordedSamples() {
        LagHistogram histogram = new LagHistogram();
        for (int millis = 1; millis <= 100; millis++) {
            histogram.record(millis);
        }
        assertThat(histogram.percentile(50)).isEqualTo(50);
        assertThat(histogram.percentile(99)).isEqualTo(99);
        assertThat(histogram.percentile(100)).isEqualTo(100);
        assertThat(histogram.maxMillis()).isEqualTo(100);
    }

    @Test
    void emptyHistogramReportsZeroAndHugeLagIsClamped() {
        LagHistogram histogram = new LagHistogram();
        assertThat(histogram.percentile(99)).isZero();
        histogram.record(5 * 60_000);
        assertThat(histogram.percentile(50)).isEqualTo(60_000);
        assertThat(histogram.maxMillis()).isEqualTo(300_000);
    }
}
