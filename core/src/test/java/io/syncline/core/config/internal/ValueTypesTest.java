package io.syncline.core.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValueTypesTest {

    @Test
    void durationsAreSpelledInTheirLargestWholeUnit() {
        assertThat(ValueTypes.spelled(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(ValueTypes.spelled(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(ValueTypes.spelled(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(ValueTypes.spelled(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(ValueTypes.spelled(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(ValueTypes.spelled(Duration.ofHours(2))).isEqualTo("2h");
    }
}
