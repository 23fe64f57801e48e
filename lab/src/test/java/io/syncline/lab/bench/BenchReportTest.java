package io.syncline.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    private static BenchReport report(AppOverheadBench.Result app) {
        SynclineReplicationBench.Result replication = new SynclineReplicationBench.Result(20_000, 30_000, 40_000, 5.0);
        return new BenchReport("15.14", 100_000, 100, "all-to-all", 150_000, 160_000, replication, replication, replication,
                List.of(new ApplyOnlyBench.Result(NativeReplicationBench.Kind.UPDATES, 120_000, 30_000, 2, 48_000)),
                List.of(new LagBench.Result(3, 10_000, 100, 400, 600, 1000)), app, 1500, List.of(), null);
    }

    private static String table(BenchReport report) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report.printTable(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void applyOnlyRatesAreReportedPerShapeWithTheirRatioToNativeApply() throws Exception {
        JsonNode json = new ObjectMapper().readTree(report(null).toJson());

        assertThat(json.path("apply_only_rows_per_s").path("updates").asDouble()).isEqualTo(48_000);
        assertThat(json.path("apply_only_ratio").path("updates").asDouble()).isEqualTo(0.4);
        assertThat(json.path("apply_only_one_writer_ratio").path("updates").asDouble()).isEqualTo(0.25);
        assertThat(json.path("apply_only_native_rows_per_s").path("updates").asDouble()).isEqualTo(120_000);
        assertThat(json.path("apply_only_writers").asInt()).isEqualTo(2);
    }

    @Test
    void applicationRatiosAreTakenAgainstTheMeanOfTheBaselinesTwoEnds() throws Exception {
        AppOverheadBench.Result app = new AppOverheadBench.Result(4000, 3000, 2800, 2400, 1600, 3000);

        JsonNode json = new ObjectMapper().readTree(report(app).toJson());

        assertThat(json.path("postgres_version").asText()).isEqualTo("15.14");
        assertThat(json.path("app_tps_without").asDouble()).isEqualTo(3500);
        assertThat(json.path("app_tps_without_first").asDouble()).isEqualTo(4000);
        assertThat(json.path("app_tps_without_last").asDouble()).isEqualTo(3000);
        assertThat(json.path("app_tps_baseline_spread").asDouble()).isEqualTo(0.29);
        assertThat(json.path("app_tps_ratio").asDouble()).isEqualTo(0.46);
        assertThat(json.path("app_tps_ratio_local_node").asDouble()).isEqualTo(0.69);
    }

    @Test
    void aBaselineThatMovedDuringTheRunIsReportedAsUnreliable() {
        String moved = table(report(new AppOverheadBench.Result(2000, 2500, 2700, 2000, 1900, 2600)));
        String steady = table(report(new AppOverheadBench.Result(2500, 2400, 2300, 2000, 1900, 2600)));

        assertThat(moved).contains("WARNING: the TPS without Syncline moved by 26%").contains("not reliable");
        assertThat(steady).startsWith("%nPostgreSQL 15.14; backlog of 100,000 rows".formatted()).doesNotContain("WARNING").contains("the mean of 2500 first and 2600 last");
    }

    @Test
    void hotRowsRunAloneReportEachDatacentersFiguresAndTheirRatiosToNoReplication() throws Exception {
        HotRowsWorkload.Figures without = new HotRowsWorkload.Figures(600, 2.5, 10);
        HotRowsWorkload.Figures nativeOneWay = new HotRowsWorkload.Figures(450, 3, 14);
        HotRowsWorkload.Figures syncline = new HotRowsWorkload.Figures(480, 3.5, 18);
        HotRowsBench.Result hot = new HotRowsBench.Result(2, Map.of("dc-a", without, "dc-b", without),
                Map.of("dc-a", nativeOneWay, "dc-b", nativeOneWay), Map.of("dc-a", syncline, "dc-b", syncline), 120, 800, 950, 5000);
        BenchReport report = new BenchReport(null, 100_000, 100, "all-to-all", 0, 0, null, null, null, List.of(), List.of(), null, 900,
                List.of(hot), null);

        JsonNode json = new ObjectMapper().readTree(report.toJson());

        JsonNode dcB = json.path("hot_rows").path("2_dcs").path("dc-b");
        assertThat(dcB.path("syncline").path("tps").asDouble()).isEqualTo(480);
        assertThat(dcB.path("without").path("p99_ms").asDouble()).isEqualTo(10);
        assertThat(dcB.path("tps_ratio").asDouble()).isEqualTo(0.8);
        assertThat(dcB.path("p99_ratio").asDouble()).isEqualTo(1.8);
        assertThat(dcB.path("native_tps_ratio").asDouble()).isEqualTo(0.75);
        assertThat(json.path("hot_rows").path("2_dcs").path("lag_ms").path("p99").asLong()).isEqualTo(800);
        assertThat(json.has("app_tps_ratio")).isFalse();
        assertThat(table(report)).contains("hot rows, 2 datacenters").contains("p99 800 ms");
    }

    @Test
    void joinReportsItsCopyRateAndItsRatioToPgDumpIntoPsql() throws Exception {
        BenchReport report = new BenchReport("15.18", 100_000, 100, "all-to-all", 0, 0, null, null, null, List.of(), List.of(), null, 900,
                List.of(), new JoinCopyBench.Result(200_000, 300_000, 400_000.0, null));

        JsonNode json = new ObjectMapper().readTree(report.toJson());

        assertThat(json.path("join_rows").asLong()).isEqualTo(200_000);
        assertThat(json.path("join_copy_rows_per_s").asDouble()).isEqualTo(300_000);
        assertThat(json.path("join_pg_dump_psql_rows_per_s").asDouble()).isEqualTo(400_000);
        assertThat(json.path("join_copy_ratio").asDouble()).isEqualTo(0.75);
        assertThat(json.has("join_pg_dump_psql_missing")).isFalse();
        assertThat(table(report)).contains("join copy of 200,000 rows: 300,000 rows/s; pg_dump --data-only | psql 400,000 rows/s;"
                + " ratio 0.75");
    }

    @Test
    void joinWithoutPgDumpReportsTheCopyAloneWithANullRatioAndSaysWhy() throws Exception {
        BenchReport report = new BenchReport("17.6", 100_000, 100, "all-to-all", 0, 0, null, null, null, List.of(), List.of(), null, 900,
                List.of(), new JoinCopyBench.Result(200_000, 300_000, null, "no pg_dump in /x/bin"));

        JsonNode json = new ObjectMapper().readTree(report.toJson());

        assertThat(json.path("join_copy_rows_per_s").asDouble()).isEqualTo(300_000);
        assertThat(json.has("join_copy_ratio")).isTrue();
        assertThat(json.path("join_copy_ratio").isNull()).isTrue();
        assertThat(json.path("join_pg_dump_psql_rows_per_s").isNull()).isTrue();
        assertThat(json.path("join_pg_dump_psql_missing").asText()).isEqualTo("no pg_dump in /x/bin");
        assertThat(table(report)).contains("pg_dump | psql not measured (no pg_dump in /x/bin), so no ratio");
    }
}
