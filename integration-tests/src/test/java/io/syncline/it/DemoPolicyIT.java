package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.syncline.it.support.CliRun;
import org.junit.jupiter.api.Test;

/**
 * {@code syncline demo} with three local datacenters and the conflict checks a user runs: every
 * concurrent increment of a {@code delta} counter counts, and with one datacenter's clock five
 * seconds behind no write made after observing another one is lost.
 */
class DemoPolicyIT {

    @Test
    void deltaDemoCountsEveryConcurrentIncrementAtEveryNode() throws Exception {
        JsonNode summary = demo("--nodes", "3", "--policy", "delta", "--duration", "8s", "--rate", "60", "--json");
        assertThat(summary.path("policy").asText()).isEqualTo("delta");
        assertThat(summary.path("counter_increments").asLong()).as("increments in %s", summary).isGreaterThan(100);
        assertThat(summary.path("counter_total_actual").asLong()).as("%s", summary)
                .isEqualTo(summary.path("counter_total_expected").asLong());
        summary.path("counter_total_by_node").forEach(total ->
                assertThat(total.asLong()).isEqualTo(summary.path("counter_total_expected").asLong()));
        assertThat(summary.path("counter_total_by_node").size()).isEqualTo(3);
    }

    @Test
    void lwwDemoWithAClockFiveSecondsBehindLosesNoCausalWrite() throws Exception {
        JsonNode summary = demo("--nodes", "3", "--policy", "lww", "--clock-skew", "5s", "--duration", "8s", "--rate", "60",
                "--json");
        assertThat(summary.path("observed_writes").asLong()).as("observed writes in %s", summary).isPositive();
        assertThat(summary.has("lost_causal_writes")).isTrue();
        assertThat(summary.path("lost_causal_writes").asLong()).as("%s", summary).isZero();
    }

    /** Runs the demo, asserts exit 0 and convergence, and returns the JSON summary. */
    private static JsonNode demo(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "demo";
        System.arraycopy(args, 0, command, 1, args.length);
        CliRun run = CliRun.of(command);
        JsonNode summary = run.lastLineJson();
        assertThat(run.status()).as("exit status; output:%n%s", run.output()).isZero();
        assertThat(summary.path("converged").asBoolean()).as("converged in %s", summary).isTrue();
        assertThat(summary.path("mismatched_rows").asLong()).isZero();
        return summary;
    }
}
