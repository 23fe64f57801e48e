package io.syncline.it.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.syncline.it.env.TestEnvironments.Backend;
import org.junit.jupiter.api.Test;

class TestEnvironmentsTest {

    @Test
    void unsetBackendUsesContainersWhereDockerAnswers() {
        assertThat(TestEnvironments.select("", () -> true)).isEqualTo(Backend.CONTAINERS);
    }

    @Test
    void unsetBackendFallsBackToEmbeddedWithoutDocker() {
        assertThat(TestEnvironments.select("", () -> false)).isEqualTo(Backend.EMBEDDED);
    }

    @Test
    void configuredBackendWinsWithoutAskingDocker() {
        assertThat(TestEnvironments.select("embedded", () -> {
            throw new AssertionError("Docker must not be asked");
        })).isEqualTo(Backend.EMBEDDED);
        // Containers asked for and no engine: selected anyway, so that the run fails loudly.
        assertThat(TestEnvironments.select("containers", () -> false)).isEqualTo(Backend.CONTAINERS);
    }

    @Test
    void unknownBackendIsRejectedWithTheChoices() {
        assertThatThrownBy(() -> TestEnvironments.select("docker", () -> true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'docker'")
                .hasMessageContaining("embedded or containers");
    }
}
