package io.syncline.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void samplesSinceACopyLeaveOutTheEarlierOnes() {
        LagHistogram histogram = new LagHistogram();
        histogram.record(3_000);
        histogram.record(40);
        LagHistogram warmUp = new LagHistogram();
        warmUp.addAll(histogram);
        histogram.record(40);
        histogram.record(70);
        histogram.record(10);

        LagHistogram measured = histogram.since(warmUp);

        assertThat(measured.count()).isEqualTo(3);
        assertThat(measured.percentile(50)).isEqualTo(40);
        assertThat(measured.percentile(100)).isEqualTo(70);
        assertThat(measured.maxMillis()).isEqualTo(70);
    }

    @Test
    void aHistogramWithMoreSamplesIsNotAnEarlierCopy() {
        LagHistogram histogram = new LagHistogram();
        LagHistogram later = new LagHistogram();
        later.record(5);
        assertThatThrownBy(() -> histogram.since(later))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 ms");
    }
}
