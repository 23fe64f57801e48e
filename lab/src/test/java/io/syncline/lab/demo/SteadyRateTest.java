package io.syncline.lab.demo;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SteadyRateTest {

    @Test
    void aRateMustBePositive() {
        assertThatThrownBy(() -> new SteadyRate(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.0");
        assertThatThrownBy(() -> new SteadyRate(-5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SteadyRate(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
