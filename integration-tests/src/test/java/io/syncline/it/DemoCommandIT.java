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
 * {@code syncline demo} end to end, as a user runs it: two local datacenters (always the embedded
 * environment, whatever backend the other integration tests use), a concurrent workload with
 * conflicts, and a JSON summary on the last line of standard output.
 */
class DemoCommandIT {

    @Test
    void twoNodeDemoConvergesAndReportsItsConflicts() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int status;
        long startedAt = System.nanoTime();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            status = SynclineCli.run("demo", "--nodes", "2", "--duration", "10s", "--json");
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        System.out.printf("[timing] syncline demo took %d ms%n", (System.nanoTime() - startedAt) / 1_000_000);

        List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
        assertThat(lines).isNotEmpty();
        JsonNode summary = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertThat(status).as("exit status; output:%n%s", output).isZero();
        assertThat(summary.path("converged").asBoolean()).as("converged in %s", summary).isTrue();
        assertThat(summary.path("nodes").asInt()).isEqualTo(2);
        assertThat(summary.path("conflicts").asLong()).as("conflicts in %s", summary).isPositive();
        assertThat(summary.has("mismatched_rows")).isTrue();
        assertThat(summary.path("mismatched_rows").asLong()).isZero();
        assertThat(summary.path("rows_compared").asLong()).isPositive();
        assertThat(summary.path("applied_rows").asLong()).isPositive();
    }
}
