package io.syncline.core.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

    private static final List<String> KEYS = List.of("url", "user", "password-env", "pool-size");

    @Test
    void typosSuggestTheClosestKey() {
        assertThat(Suggestions.closest("pool_size", KEYS)).contains("pool-size");
        assertThat(Suggestions.closest("pasword-env", KEYS)).contains("password-env");
        assertThat(Suggestions.closest("URL", KEYS)).contains("url");
    }

    @Test
    void swappedNeighboursCountAsOneEdit() {
        assertThat(Suggestions.distance("rnig", "ring")).isEqualTo(1);
    }

    @Test
    void unrelatedWordsSuggestNothing() {
        assertThat(Suggestions.closest("compression", KEYS)).isEmpty();
        assertThat(Suggestions.closest("x", KEYS)).isEmpty();
    }
}
