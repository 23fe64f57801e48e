package io.syncline.lab.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.List;

/**
 * The results of {@code syncline bench}. A phase left out by {@code --phases} is {@code null}
 * (backlogs: {@code postgresVersion} and the three Syncline results; app; join) or empty (lag, hot rows).
 */
public record BenchReport(
        String postgresVersion,
        int rows,
        int transactionSize,
        String lagTopology,
        double nativeUpdatesPerSecond,
        double nativeInsertsPerSecond,
        SynclineReplicationBench.Result synclineColdUpdates,
        SynclineReplicationBench.Result synclineUpdates,
        SynclineReplicationBench.Result synclineInserts,
        List<ApplyOnlyBench.Result> applyOnly,
        List<LagBench.Result> lag,
        AppOverheadBench.Result app,
        long peakHeapMegabytes,
        List<HotRowsBench.Result> hotRows,
        JoinCopyBench.Result join) {

    public String toJson() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = mapper.createObjectNode().put("postgres_version", postgresVersion).put("rows", rows).put("txn_size", transactionSize);
        if (synclineUpdates != null) {
            backlogsJson(json);
        }
        if (!applyOnly.isEmpty()) {
            applyOnlyJson(json);
        }
        json.put("lag_topology", lagTopology);
        ObjectNode lagJson = json.putObject("lag_ms");
        for (LagBench.Result result : lag) {
            lagJson.putObject(result.nodes() + "_nodes").put("load_rows_per_s", round(result.rowsPerSecond()))
                    .put("p50", result.p50()).put("p99", result.p99()).put("max", result.max()).put("samples", result.samples());
        }
        if (app != null) {
            appJson(json);
        }
        json.put("heap_mb", peakHeapMegabytes);
        if (!hotRows.isEmpty()) {
            hotRowsJson(json.putObject("hot_rows"));
        }
        if (join != null) {
            joinJson(json);
        }
        return json.toString();
    }

    private void backlogsJson(ObjectNode json) {
        json.putObject("native_rows_per_s").put("updates", round(nativeUpdatesPerSecond)).put("inserts", round(nativeInsertsPerSecond));
        json.putObject("syncline_rows_per_s").put("updates", round(synclineUpdates.rowsPerSecond()))
                .put("inserts", round(synclineInserts.rowsPerSecond()));
        json.putObject("syncline_cold_rows_per_s").put("updates", round(synclineColdUpdates.rowsPerSecond()))
                .put("capture", round(synclineColdUpdates.captureRowsPerSecond()));
        json.putObject("capture_rows_per_s").put("updates", round(synclineUpdates.captureRowsPerSecond()))
                .put("inserts", round(synclineInserts.captureRowsPerSecond()));
        json.putObject("debezium_only_rows_per_s").put("updates", round(synclineUpdates.debeziumRowsPerSecond()))
                .put("inserts", round(synclineInserts.debeziumRowsPerSecond()));
        json.putObject("ratio").put("updates", round2(synclineUpdates.rowsPerSecond() / nativeUpdatesPerSecond))
                .put("inserts", round2(synclineInserts.rowsPerSecond() / nativeInsertsPerSecond));
        json.putObject("cpu_s_per_100k_rows").put("updates", round2(synclineUpdates.cpuSecondsPer100kRows()))
                .put("inserts", round2(synclineInserts.cpuSecondsPer100kRows()));
    }

    /** Per shape: the default writers' rate and ratio to native apply, and the same with one writer. */
    private void applyOnlyJson(ObjectNode json) {
        ObjectNode rates = json.putObject("apply_only_rows_per_s");
        ObjectNode ratios = json.putObject("apply_only_ratio");
        ObjectNode nativeRates = json.putObject("apply_only_native_rows_per_s");
        ObjectNode oneRates = json.putObject("apply_only_one_writer_rows_per_s");
        ObjectNode oneRatios = json.putObject("apply_only_one_writer_ratio");
        for (ApplyOnlyBench.Result result : applyOnly) {
            String shape = result.kind().name().toLowerCase(java.util.Locale.ROOT);
            rates.put(shape, round(result.rowsPerSecond()));
            ratios.put(shape, round2(result.ratio()));
            nativeRates.put(shape, round(result.nativeRowsPerSecond()));
            oneRates.put(shape, round(result.oneWriterRowsPerSecond()));
            oneRatios.put(shape, round2(result.oneWriterRatio()));
        }
        json.put("apply_only_writers", applyOnly.get(0).writers());
    }

    /** The join's copy rate and its ratio to {@code pg_dump | psql}'s; both null, with the reason, when that did not run. */
    private void joinJson(ObjectNode json) {
        json.put("join_rows", join.rows()).put("join_copy_rows_per_s", round(join.joinRowsPerSecond()));
        if (join.dumpRowsPerSecond() == null) {
            json.putNull("join_pg_dump_psql_rows_per_s").putNull("join_copy_ratio").put("join_pg_dump_psql_missing",
                    join.dumpMissing());
        } else {
            json.put("join_pg_dump_psql_rows_per_s", round(join.dumpRowsPerSecond())).put("join_copy_ratio", round2(join.ratio()));
        }
    }

    /** One line of the join phase's figures. */
    static String joinLine(JoinCopyBench.Result join) {
        String copy = String.format("join copy of %,d rows: %,d rows/s", join.rows(), Math.round(join.joinRowsPerSecond()));
        return join.dumpRowsPerSecond() == null ? copy + "; pg_dump | psql not measured (" + join.dumpMissing() + "), so no ratio"
                : copy + String.format("; pg_dump --data-only | psql %,d rows/s; ratio %.2f", Math.round(join.dumpRowsPerSecond()),
                        join.ratio());
    }

    private void appJson(ObjectNode json) {
        json.put("app_tps_without", round(app.tpsWithout())).put("app_tps_without_first", round(app.tpsWithoutFirst()))
                .put("app_tps_without_last", round(app.tpsWithoutLast())).put("app_tps_baseline_spread", round2(app.baselineSpread()))
                .put("app_tps_native_replication", round(app.tpsNative()))
                .put("app_tps_triggers_only", round(app.tpsTriggersOnly()))
                .put("app_tps_with_local_node", round(app.tpsLocalNode())).put("app_tps_with", round(app.tpsWith()))
                .put("app_tps_ratio_native_replication", round2(app.nativeRatio()))
                .put("app_tps_ratio_local_node", round2(app.localNodeRatio())).put("app_tps_ratio", round2(app.ratio()));
    }

    /**
     * Per datacenter count: each datacenter's tx/s and latency percentiles without replication,
     * under native one-way replication and with Syncline, and Syncline's ratios to the first.
     */
    private void hotRowsJson(ObjectNode json) {
        for (HotRowsBench.Result result : hotRows) {
            ObjectNode run = json.putObject(result.datacenters() + "_dcs");
            run.putObject("lag_ms").put("p50", result.lagP50()).put("p99", result.lagP99()).put("max", result.lagMax())
                    .put("samples", result.lagSamples());
            for (String dc : result.without().keySet()) {
                ObjectNode dcJson = run.putObject(dc);
                figures(dcJson.putObject("without"), result.without().get(dc));
                figures(dcJson.putObject("native_one_way"), result.nativeOneWay().get(dc));
                figures(dcJson.putObject("syncline"), result.syncline().get(dc));
                dcJson.put("tps_ratio", round2(result.tpsRatio(dc))).put("p99_ratio", round2(result.p99Ratio(dc)))
                        .put("native_tps_ratio", round2(result.nativeTpsRatio(dc)))
                        .put("native_p99_ratio", round2(result.nativeP99Ratio(dc)));
            }
        }
    }

    private static void figures(ObjectNode json, HotRowsWorkload.Figures figures) {
        json.put("tps", round(figures.tps())).put("p50_ms", round2(figures.p50Millis())).put("p99_ms", round2(figures.p99Millis()));
    }

    public void printTable(PrintStream out) {
        if (synclineUpdates != null) {
            printBacklogs(out);
        }
        for (ApplyOnlyBench.Result result : applyOnly) {
            out.printf("apply only, %s: native %.0f rows/s; Syncline with 1 writer %.0f rows/s (ratio %.2f), with %d writers"
                    + " %.0f rows/s (ratio %.2f)%n", result.kind().name().toLowerCase(java.util.Locale.ROOT),
                    result.nativeRowsPerSecond(), result.oneWriterRowsPerSecond(), result.oneWriterRatio(), result.writers(),
                    result.rowsPerSecond(), result.ratio());
        }
        for (LagBench.Result result : lag) {
            out.printf("lag, %d nodes %s at %.0f rows/s: p50 %d ms, p99 %d ms, max %d ms (%d samples)%n", result.nodes(),
                    lagTopology, result.rowsPerSecond(), result.p50(), result.p99(), result.max(), result.samples());
        }
        if (app != null) {
            printApp(out);
        }
        for (HotRowsBench.Result result : hotRows) {
            printHotRows(out, result);
        }
        if (join != null) {
            out.println(joinLine(join));
        }
        out.printf("peak heap of this JVM (nodes and in-process Kafka): %d MB%s%n", peakHeapMegabytes, synclineUpdates == null ? ""
                : String.format("; CPU per 100k rows: %.2f s (updates)", synclineUpdates.cpuSecondsPer100kRows()));
    }

    private void printBacklogs(PrintStream out) {
        out.printf("%nPostgreSQL %s; backlog of %,d rows in transactions of %d rows%n", postgresVersion, rows, transactionSize);
        out.printf("%-10s %14s %16s %7s %16s %16s%n", "", "native rows/s", "syncline rows/s", "ratio", "capture rows/s",
                "debezium rows/s");
        printThroughput(out, "updates", nativeUpdatesPerSecond, synclineUpdates);
        printThroughput(out, "inserts", nativeInsertsPerSecond, synclineInserts);
        printThroughput(out, "cold upd.", nativeUpdatesPerSecond, synclineColdUpdates);
        out.println("(capture: published to Kafka; debezium: Debezium's engine alone, counting; cold: the first backlog of a fresh"
                + " JVM, before the JIT warmed up, not in the ratio)");
    }

    private void printApp(PrintStream out) {
        out.printf("application TPS on dc-a: %.0f without Syncline, %.0f under native logical replication (ratio %.2f),"
                + " %.0f with Syncline's triggers only, %.0f with dc-a's node (ratio %.2f), %.0f with both nodes on this machine"
                + " (ratio %.2f)%n", app.tpsWithout(), app.tpsNative(), app.nativeRatio(), app.tpsTriggersOnly(), app.tpsLocalNode(),
                app.localNodeRatio(), app.tpsWith(), app.ratio());
        out.printf("(without Syncline: the mean of %.0f first and %.0f last, with the nodes stopped and the triggers disabled)%n",
                app.tpsWithoutFirst(), app.tpsWithoutLast());
        if (!app.baselineSteady()) {
            out.printf("WARNING: the TPS without Syncline moved by %.0f%% between the first and the last phase, more than %.0f%%:"
                    + " the host's speed changed during this run, so its application TPS ratios are not reliable. Run the bench again.%n",
                    app.baselineSpread() * 100, AppOverheadBench.MAX_BASELINE_SPREAD * 100);
        }
    }

    private static void printHotRows(PrintStream out, HotRowsBench.Result result) {
        out.printf("hot rows, %d datacenters (each application updates %d of the same %d rows per transaction); Syncline's lag"
                + " p50 %d ms, p99 %d ms, max %d ms (%d samples)%n", result.datacenters(), HotRowsWorkload.UPDATES_PER_TRANSACTION,
                HotRowsWorkload.SHARED_ROWS, result.lagP50(), result.lagP99(), result.lagMax(), result.lagSamples());
        out.printf("  %-5s %22s %22s %22s %9s %9s%n", "", "without: tx/s, p99 ms", "native 1-way", "Syncline", "tx/s", "p99");
        for (String dc : result.without().keySet()) {
            out.printf("  %-5s %22s %22s %22s %9.2f %9.2f%n", dc, cell(result.without().get(dc)), cell(result.nativeOneWay().get(dc)),
                    cell(result.syncline().get(dc)), result.tpsRatio(dc), result.p99Ratio(dc));
        }
    }

    private static String cell(HotRowsWorkload.Figures figures) {
        return String.format("%.0f, %.1f", figures.tps(), figures.p99Millis());
    }

    private static void printThroughput(PrintStream out, String label, double nativeRowsPerSecond,
            SynclineReplicationBench.Result syncline) {
        out.printf("%-10s %14.0f %16.0f %7.2f %16.0f %16.0f%n", label, nativeRowsPerSecond, syncline.rowsPerSecond(),
                syncline.rowsPerSecond() / nativeRowsPerSecond, syncline.captureRowsPerSecond(), syncline.debeziumRowsPerSecond());
    }

    private static double round(double value) {
        return Math.round(value);
    }

    private static double round2(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
