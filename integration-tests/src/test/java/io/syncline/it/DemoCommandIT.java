package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.syncline.it.support.CliRun;
import org.junit.jupiter.api.Test;

/**
 * {@code syncline demo} end to end, as a user runs it: two local datacenters (always the embedded
 * environment, whatever backend the other integration tests use), a concurrent workload with
 * conflicts, and a JSON summary on the last line of standard output.
 */
class DemoCommandIT {

    @Test
    void twoNodeDemoConvergesAndReportsItsConflicts() throws Exception {
        CliRun run = CliRun.of("demo", "--nodes", "2", "--duration", "10s", "--json");
        JsonNode summary = run.lastLineJson();
        assertThat(run.status()).as("exit status; output:%n%s", run.output()).isZero();
        assertThat(summary.path("converged").asBoolean()).as("converged in %s", summary).isTrue();
        assertThat(summary.path("nodes").asInt()).isEqualTo(2);
        assertThat(summary.path("conflicts").asLong()).as("conflicts in %s", summary).isPositive();
        assertThat(summary.has("mismatched_rows")).isTrue();
        assertThat(summary.path("mismatched_rows").asLong()).isZero();
        assertThat(summary.path("rows_compared").asLong()).isPositive();
        assertThat(summary.path("applied_rows").asLong()).isPositive();
    }
}
