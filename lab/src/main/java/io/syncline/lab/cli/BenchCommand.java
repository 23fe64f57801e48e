package io.syncline.lab.cli;

import io.syncline.core.config.TopologyKind;
import io.syncline.lab.bench.BenchPhase;
import io.syncline.lab.bench.BenchReport;
import io.syncline.lab.bench.Benchmark;
import io.syncline.node.cli.DurationConverter;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code syncline bench}: Syncline against PostgreSQL's own logical replication, side by side, on this machine. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure Syncline against native logical replication: backlog throughput, lag, cost to the application.")
final class BenchCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(BenchCommand.class);

    @Option(names = "--rows", defaultValue = "100000", description = "Rows in each backlog, and in each of the join phase's two tables (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--txn-size", defaultValue = "100", description = "Rows per source transaction (default: ${DEFAULT-VALUE}).")
    int transactionSize;

    @Option(names = "--phase-duration", defaultValue = "20s", converter = DurationConverter.class,
            description = "Length of the lag and application-overhead phases (default: ${DEFAULT-VALUE}).")
    Duration phaseDuration;

    @Option(names = "--nodes", defaultValue = "3", paramLabel = "N",
            description = "Datacenters of the larger lag phase; the other has 2 (2-26; default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--topology", defaultValue = "all-to-all", paramLabel = "KIND",
            description = "Topology of the lag phases: all-to-all, ring or star (hub dc-a) (default: ${DEFAULT-VALUE}).")
    String topology;

    @Option(names = "--quick", description = "About a minute: 20k-row backlogs and 8 s phases.")
    boolean quick;

    @Option(names = "--phases", defaultValue = "all", paramLabel = "LIST",
            description = "Phases to run, comma-separated: backlogs, apply_only, lag, app, hot_rows, join, or all (default: ${DEFAULT-VALUE}).")
    String phases;

    @Option(names = "--json", description = "Print the results as one JSON object on the last line.")
    boolean json;

    @Option(names = "--verbose", description = "Logs on the console instead of the live view (which a terminal shows"
            + " without --json, the logs then going to a file it names).")
    boolean verbose;

    private final PrintStream out = System.out;

    /** The lag phases' sizes: 2 datacenters, and {@code nodes} if more. */
    static List<Integer> lagNodeCounts(int nodes) {
        if (nodes < 2 || nodes > 26) {
            throw new IllegalArgumentException("--nodes must be between 2 and 26, not " + nodes);
        }
        return nodes == 2 ? List.of(2) : List.of(2, nodes);
    }

    static String lagTopology(String topology) {
        return TopologyKind.fromConfigName(topology).filter(kind -> !kind.needsExplicitEdges()).map(TopologyKind::configName)
                .orElseThrow(() -> new IllegalArgumentException("--topology must be all-to-all, ring or star, not " + topology));
    }

    @Override
    public Integer call() {
        int backlog = quick ? Math.min(rows, 20_000) : rows;
        Duration phase = quick ? Duration.ofSeconds(8) : phaseDuration;
        List<Integer> lagNodes;
        String lagTopology;
        Set<BenchPhase> selected;
        try {
            lagNodes = lagNodeCounts(nodes);
            lagTopology = lagTopology(topology);
            selected = BenchPhase.parse(phases);
        } catch (IllegalArgumentException e) {
            log.error("bench: {}", e.getMessage());
            return 1;
        }
        String title = String.format("syncline bench: backlogs of %,d rows in transactions of %d, phases of %d s", backlog,
                transactionSize, phase.toSeconds());
        try {
            BenchReport report = LiveOutput.run(out, LiveOutput.watched(json, verbose), title, "syncline-bench-",
                    progress -> new Benchmark(backlog, transactionSize, phase, lagNodes, lagTopology, selected, progress).run());
            report.printTable(out);
            if (json) {
                out.println(report.toJson());
            }
            return 0;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.error("bench failed: {}", e.getMessage(), e);
            return 1;
        }
    }
}
