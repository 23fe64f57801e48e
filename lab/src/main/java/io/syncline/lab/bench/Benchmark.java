package io.syncline.lab.bench;

import io.syncline.core.config.ApplySettings;
import io.syncline.lab.env.EnvironmentProbe;
import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import io.syncline.lab.env.embedded.EmbeddedEnvironment;
import io.syncline.lab.live.Progress;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every measurement of {@code syncline bench} in one process on the embedded environment,
 * each phase on fresh servers so that one phase's leftovers do not slow the next. Syncline's
 * update and insert phases follow one more update backlog that warms up the JIT; its result is
 * reported apart, as the cold figure, and does not enter the ratio.
 */
public final class Benchmark {

    private static final Logger log = LoggerFactory.getLogger(Benchmark.class);

    private final int rows;
    private final int transactionSize;
    private final Duration phaseDuration;
    private final List<Integer> lagNodeCounts;
    private final String lagTopology;
    private final Set<BenchPhase> phases;
    private final Progress progress;
    private int step;
    /** The PostgreSQL version the apply-only or join phase found, for when the backlogs did not run. */
    private String applyOnlyServerVersion;

    /**
     * @param lagNodeCounts the sizes of the lag phases, each a cluster of that many datacenters
     * @param lagTopology   their topology in YAML spelling: all-to-all, ring or star (hub dc-a)
     * @param phases        the phases to run; the report leaves the others out
     * @param progress      told of each phase and its outcome
     */
    public Benchmark(int rows, int transactionSize, Duration phaseDuration, List<Integer> lagNodeCounts, String lagTopology,
            Set<BenchPhase> phases, Progress progress) {
        this.rows = rows;
        this.transactionSize = transactionSize;
        this.phaseDuration = phaseDuration;
        this.lagNodeCounts = List.copyOf(lagNodeCounts);
        this.lagTopology = lagTopology;
        this.phases = Set.copyOf(phases);
        this.progress = progress;
    }

    /** Steps of a run: two native backlogs, three Syncline backlogs, the lag phases, the application phase, the hot-rows phases. */
    private int steps() {
        return (phases.contains(BenchPhase.BACKLOGS) ? 5 : 0) + (phases.contains(BenchPhase.APPLY_ONLY) ? 7 : 0) + (phases.contains(BenchPhase.LAG) ? lagNodeCounts.size() : 0)
                + (phases.contains(BenchPhase.APP) ? 1 : 0) + (phases.contains(BenchPhase.HOT_ROWS) ? lagNodeCounts.size() : 0)
                + (phases.contains(BenchPhase.JOIN) ? 1 : 0);
    }

    private void phase(String name, Duration length) {
        step++;
        progress.phase("[" + step + "/" + steps() + "] " + name, length);
    }

    /** Runs the selected phases; a phase left out is {@code null} (or empty) in the report. */
    public BenchReport run() throws Exception {
        NativePhase nativeUpdates = null;
        NativePhase nativeInserts = null;
        SynclineReplicationBench.Result cold = null;
        SynclineReplicationBench.Result updates = null;
        SynclineReplicationBench.Result inserts = null;
        if (phases.contains(BenchPhase.BACKLOGS)) {
            nativeUpdates = nativePhase(NativeReplicationBench.Kind.UPDATES);
            nativeInserts = nativePhase(NativeReplicationBench.Kind.INSERTS);
            // The nodes run for days; the first backlog through a fresh JVM measures mostly the JIT compiler
            // (a quarter of both cores during the capture, in a profile). It is reported as the cold figure.
            cold = synclinePhase(NativeReplicationBench.Kind.UPDATES, " (cold JVM)");
            resetPeakHeap();
            updates = synclinePhase(NativeReplicationBench.Kind.UPDATES, "");
            inserts = synclinePhase(NativeReplicationBench.Kind.INSERTS, "");
        }
        List<ApplyOnlyBench.Result> applyOnly = phases.contains(BenchPhase.APPLY_ONLY) ? applyOnlyPhases() : List.of();
        List<LagBench.Result> lag = phases.contains(BenchPhase.LAG) ? lagPhases(updates) : List.of();
        AppOverheadBench.Result app = null;
        if (phases.contains(BenchPhase.APP)) {
            phase("the application's write rate without and with Syncline", null);
            try (EmbeddedEnvironment environment = EmbeddedEnvironment.create()) {
                app = AppOverheadBench.run(postgres(environment, 2), kafka(environment, 2), phaseDuration,
                        environment.workDir().resolve("nodes"));
            }
        }
        List<HotRowsBench.Result> hotRows = phases.contains(BenchPhase.HOT_ROWS) ? hotRowsPhases() : List.of();
        JoinCopyBench.Result join = phases.contains(BenchPhase.JOIN) ? joinPhase() : null;
        String serverVersion = nativeUpdates != null ? nativeUpdates.serverVersion() : applyOnlyServerVersion;
        return new BenchReport(serverVersion, rows, transactionSize, lagTopology,
                nativeUpdates == null ? 0 : nativeUpdates.rowsPerSecond(), nativeInserts == null ? 0 : nativeInserts.rowsPerSecond(),
                cold, updates, inserts, applyOnly, lag, app, peakHeapMegabytes(), hotRows, join);
    }

    /**
     * Per shape (updates, inserts): native apply of the backlog, then dc-b's node applying it from
     * Kafka with one writer and with this machine's default. A first, smaller run warms the JIT up
     * and is not reported.
     */
    private List<ApplyOnlyBench.Result> applyOnlyPhases() throws Exception {
        int writers = ApplySettings.defaultWriters();
        phase("apply only: warming up on a backlog of " + rows / 5 + " updates", null);
        applyOnly(NativeReplicationBench.Kind.UPDATES, rows / 5, writers);
        List<ApplyOnlyBench.Result> results = new ArrayList<>();
        for (NativeReplicationBench.Kind kind : NativeReplicationBench.Kind.values()) {
            NativePhase nativePhase = nativePhase(kind);
            applyOnlyServerVersion = nativePhase.serverVersion();
            double nativeRate = nativePhase.rowsPerSecond();
            phase("apply only, 1 writer: dc-b's node catching up on " + rows + " " + kind + " in Kafka", null);
            double one = applyOnly(kind, rows, 1);
            phase("apply only, " + writers + " writers: dc-b's node catching up on " + rows + " " + kind + " in Kafka", null);
            double many = applyOnly(kind, rows, writers);
            ApplyOnlyBench.Result result = new ApplyOnlyBench.Result(kind, nativeRate, one, writers, many);
            log.info("apply only, {}: {}", kind, result);
            progress.result(String.format("apply only, %s: native %,d rows/s; Syncline 1 writer %,d rows/s (ratio %.2f),"
                    + " %d writers %,d rows/s (ratio %.2f)", kind, Math.round(nativeRate), Math.round(one), result.oneWriterRatio(),
                    writers, Math.round(many), result.ratio()));
            results.add(result);
        }
        return results;
    }

    private double applyOnly(NativeReplicationBench.Kind kind, int backlog, int writers) throws Exception {
        try (EmbeddedEnvironment environment = EmbeddedEnvironment.create()) {
            return ApplyOnlyBench.run(postgres(environment, 2), kafka(environment, 2), kind, backlog, transactionSize, writers,
                    environment.workDir().resolve("nodes"));
        }
    }

    /**
     * The lag phases, at half the rate of Syncline's update backlog when it ran, else at
     * {@value #LAG_LOAD_WITHOUT_BACKLOGS} rows/s.
     */
    private List<LagBench.Result> lagPhases(SynclineReplicationBench.Result updates) throws Exception {
        double halfLoad = updates == null ? LAG_LOAD_WITHOUT_BACKLOGS : updates.rowsPerSecond() / 2;
        List<LagBench.Result> lag = new ArrayList<>();
        for (int nodes : lagNodeCounts) {
            phase("lag with " + nodes + " datacenters, " + lagTopology + ", " + Math.round(halfLoad) + " rows/s in all",
                    phaseDuration.multipliedBy(2));
            try (EmbeddedEnvironment environment = EmbeddedEnvironment.create()) {
                lag.add(LagBench.run(postgres(environment, nodes), kafka(environment, nodes), lagTopology, halfLoad, phaseDuration,
                        environment.workDir().resolve("nodes")));
                log.info("lag with {} nodes: {}", nodes, lag.get(lag.size() - 1));
                LagBench.Result result = lag.get(lag.size() - 1);
                progress.result(String.format("lag with %d datacenters at %,d rows/s: p50 %d ms, p99 %d ms, max %d ms", nodes,
                        Math.round(result.rowsPerSecond()), result.p50(), result.p99(), result.max()));
            }
        }
        return lag;
    }

    private static final double LAG_LOAD_WITHOUT_BACKLOGS = 5_000;

    /** The hot-rows phases, with 2 datacenters and with {@code --nodes}. */
    private List<HotRowsBench.Result> hotRowsPhases() throws Exception {
        List<HotRowsBench.Result> results = new ArrayList<>();
        for (int nodes : lagNodeCounts) {
            phase("hot rows with " + nodes + " datacenters: without replication, native one-way, Syncline",
                    phaseDuration.multipliedBy(9).dividedBy(2));
            try (EmbeddedEnvironment environment = EmbeddedEnvironment.create()) {
                HotRowsBench.Result result = HotRowsBench.run(postgres(environment, nodes), kafka(environment, nodes), phaseDuration,
                        environment.workDir().resolve("nodes"));
                log.info("hot rows with {} nodes: {}", nodes, result);
                results.add(result);
                StringBuilder line = new StringBuilder(String.format("hot rows, %d datacenters: Syncline lag p99 %d ms", nodes,
                        result.lagP99()));
                result.syncline().forEach((dc, figures) -> line.append(String.format("; %s %s (tx/s ratio %.2f, p99 ratio %.2f)", dc,
                        HotRowsWorkload.describe(figures), result.tpsRatio(dc), result.p99Ratio(dc))));
                progress.result(line.toString());
            }
        }
        return results;
    }

    private JoinCopyBench.Result joinPhase() throws Exception {
        phase("join: copying 2 tables of " + rows + " rows, pg_dump | psql beside it", null);
        try (EmbeddedEnvironment environment = EmbeddedEnvironment.create()) {
            List<PostgresServer> databases = postgres(environment, 2);
            if (applyOnlyServerVersion == null) {
                applyOnlyServerVersion = EnvironmentProbe.probe(databases.get(0)).version();
            }
            JoinCopyBench.Result result = JoinCopyBench.run(databases, kafka(environment, 2), rows,
                    environment.workDir().resolve("nodes"));
            log.info("join: {}", result);
            progress.result(BenchReport.joinLine(result));
            if (result.dumpMissing() != null) {
                log.warn("join: pg_dump | psql not measured, so no join_copy_ratio: {}", result.dumpMissing());
            }
            return result;
        }
    }

    /** Native replication's rate, and the PostgreSQL version it ran on, which the report names. */
    private record NativePhase(double rowsPerSecond, String serverVersion) {}

    private NativePhase nativePhase(NativeReplicationBench.Kind kind) throws Exception {
        phase("native logical replication, a backlog of " + rows + " " + kind, null);
        try (EmbeddedEnvironment environment = EmbeddedEnvironment.create()) {
            List<PostgresServer> databases = postgres(environment, 2);
            double rowsPerSecond = NativeReplicationBench.run(databases.get(0), databases.get(1), kind, rows, transactionSize);
            log.info("native logical replication, {}: {} rows/s", kind, Math.round(rowsPerSecond));
            progress.result(String.format("native logical replication, %s: %,d rows/s", kind, Math.round(rowsPerSecond)));
            return new NativePhase(rowsPerSecond, EnvironmentProbe.probe(databases.get(0)).version());
        }
    }

    private SynclineReplicationBench.Result synclinePhase(NativeReplicationBench.Kind kind, String label) throws Exception {
        phase("Syncline" + label + ", a backlog of " + rows + " " + kind, null);
        try (EmbeddedEnvironment environment = EmbeddedEnvironment.create()) {
            SynclineReplicationBench.Result result = SynclineReplicationBench.run(postgres(environment, 2), kafka(environment, 2),
                    kind, rows, transactionSize, environment.workDir().resolve("nodes"));
            log.info("syncline, {}: {} rows/s", kind, Math.round(result.rowsPerSecond()));
            progress.result(String.format("Syncline%s, %s: %,d rows/s", label, kind, Math.round(result.rowsPerSecond())));
            return result;
        }
    }

    private static List<PostgresServer> postgres(EmbeddedEnvironment environment, int count) {
        List<PostgresServer> servers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            servers.add(environment.startPostgres("dc-" + (char) ('a' + i)));
        }
        return servers;
    }

    private static List<KafkaCluster> kafka(EmbeddedEnvironment environment, int count) {
        List<KafkaCluster> clusters = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            clusters.add(environment.startKafka("dc-" + (char) ('a' + i)));
        }
        return clusters;
    }

    private static void resetPeakHeap() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long peakHeapMegabytes() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak / (1024 * 1024);
    }
}
