package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.node.cli.SynclineCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
    private static JsonNode demo(String... args) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int status;
        long startedAt = System.nanoTime();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            String[] command = new String[args.length + 1];
            command[0] = "demo";
            System.arraycopy(args, 0, command, 1, args.length);
            status = SynclineCli.run(command);
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        System.out.printf("[timing] syncline demo %s took %d ms%n", String.join(" ", args), (System.nanoTime() - startedAt) / 1_000_000);
        List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
        JsonNode summary = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertThat(status).as("exit status; output:%n%s", output).isZero();
        assertThat(summary.path("converged").asBoolean()).as("converged in %s", summary).isTrue();
        assertThat(summary.path("mismatched_rows").asLong()).isZero();
        return summary;
    }
}
