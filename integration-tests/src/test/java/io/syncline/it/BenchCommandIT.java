package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import io.syncline.it.support.CliRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code syncline bench} end to end on small sizes (always the embedded environment): every
 * phase runs, every backlog arrives, and the JSON on the last line holds a measured value for
 * every figure. Speed is not asserted here; the benchmark's numbers are read by people.
 */
class BenchCommandIT {

    private static final int ROWS = 3000;

    @Test
    void smallBenchRunsEveryPhaseAndReportsEveryFigure() throws Exception {
        CliRun run = CliRun.of("bench", "--rows", Integer.toString(ROWS), "--phase-duration", "3s", "--nodes", "3", "--topology",
                "ring", "--json");

        assertThat(run.status()).as("exit status; output:%n%s", run.output()).isZero();
        JsonNode report = run.lastLineJson();
        assertThat(report.path("rows").asInt()).isEqualTo(ROWS);
        assertThat(report.path("postgres_version").asText()).as("postgres_version in %s", report).matches("\\d+\\.\\d+.*");
        for (String figure : List.of("native_rows_per_s", "syncline_rows_per_s", "capture_rows_per_s", "debezium_only_rows_per_s", "ratio")) {
            assertThat(report.path(figure).path("updates").asDouble()).as("%s.updates in %s", figure, report).isPositive();
            assertThat(report.path(figure).path("inserts").asDouble()).as("%s.inserts in %s", figure, report).isPositive();
        }
        assertThat(report.path("lag_topology").asText()).isEqualTo("ring");
        for (String nodes : List.of("2_nodes", "3_nodes")) {
            JsonNode lag = report.path("lag_ms").path(nodes);
            assertThat(lag.path("samples").asLong()).as("lag samples with %s in %s", nodes, report).isPositive();
            assertThat(lag.path("p50").asLong()).isNotNegative().isLessThanOrEqualTo(lag.path("p99").asLong());
            assertThat(lag.path("p99").asLong()).isLessThanOrEqualTo(lag.path("max").asLong());
        }
        for (String phase : List.of("without_first", "native_replication", "triggers_only", "with_local_node", "with",
                "without_last")) {
            assertThat(report.path("app_tps_" + phase).asDouble()).as("app_tps_%s in %s", phase, report).isPositive();
        }
        assertThat(report.path("app_tps_without").asDouble()).as("the baseline is the mean of its two ends in %s", report)
                .isCloseTo((report.path("app_tps_without_first").asDouble() + report.path("app_tps_without_last").asDouble()) / 2,
                        offset(1.0));
        assertThat(report.path("app_tps_ratio").asDouble())
                .isEqualTo(Math.round(report.path("app_tps_with").asDouble() / report.path("app_tps_without").asDouble() * 100) / 100.0,
                        offset(0.011));
        assertThat(report.path("heap_mb").asLong()).isPositive();
        assertThat(report.path("cpu_s_per_100k_rows").path("updates").asDouble()).isPositive();
    }
}
