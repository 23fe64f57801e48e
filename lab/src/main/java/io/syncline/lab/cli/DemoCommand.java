package io.syncline.lab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.lab.demo.DemoPolicy;
import io.syncline.lab.demo.DemoReport;
import io.syncline.lab.demo.ReplicationDemo;
import io.syncline.lab.env.EnvironmentProbe;
import io.syncline.lab.env.EnvironmentProbe.KafkaHealth;
import io.syncline.lab.env.EnvironmentProbe.PostgresHealth;
import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import io.syncline.lab.env.embedded.EmbeddedEnvironment;
import io.syncline.lab.live.Progress;
import io.syncline.node.cli.DurationConverter;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code syncline demo}: starts one PostgreSQL, one Kafka and one Syncline node per datacenter on
 * this machine, writes concurrently everywhere, waits until replication is quiet and compares
 * every database row by row. Exit status 0 only when all databases converged.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Replicate a concurrent workload between local datacenters (PostgreSQL + Kafka + node each)"
                + " and check that every database converges.")
public final class DemoCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);

    @Option(names = "--nodes", defaultValue = "2", paramLabel = "N",
            description = "Number of datacenters, named dc-a, dc-b, ... (1-26; default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--duration", defaultValue = "20s", converter = DurationConverter.class, paramLabel = "TIME",
            description = "How long the workload writes, e.g. 30s, 5m (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--topology", defaultValue = "all-to-all", paramLabel = "KIND",
            description = "all-to-all, ring or star (hub dc-a) (default: ${DEFAULT-VALUE}).")
    String topology;

    @Option(names = "--rate", defaultValue = "100", paramLabel = "TPS",
            description = "Transactions per second the workload writes at each datacenter (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--clock-skew", defaultValue = "0s", converter = DurationConverter.class, paramLabel = "TIME",
            description = "Puts the last datacenter's row-version clock this far behind (default: ${DEFAULT-VALUE}).")
    Duration clockSkew;

    @Option(names = "--policy", defaultValue = "lww", paramLabel = "POLICY",
            description = "lww, or delta: also increment and decrement shared counter rows (a delta column) at every"
                    + " datacenter and check that every increment counts (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the workload's random choices (default: random).")
    Long seed;

    @Option(names = "--json", description = "Print a JSON summary as the last line of standard output.")
    boolean json;

    @Option(names = "--verbose", description = "Logs on the console instead of the live view (which a terminal shows"
            + " without --json, the logs then going to a file it names).")
    boolean verbose;

    private final PrintStream out;

    public DemoCommand() {
        this(System.out);
    }

    DemoCommand(PrintStream out) {
        this.out = out;
    }

    /** The datacenter names for {@code count} nodes: dc-a, dc-b, ... */
    static List<String> datacenterNames(int count) {
        if (count < 1 || count > 26) {
            throw new IllegalArgumentException("--nodes must be between 1 and 26, not " + count);
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add("dc-" + (char) ('a' + i));
        }
        return names;
    }

    @Override
    public Integer call() {
        String summary;
        int status;
        try {
            List<String> names = datacenterNames(nodes);
            DemoPolicy.parse(policy);
            String title = String.format("syncline demo: %d datacenters, %s, %d s of writes at %.0f tx/s each", names.size(),
                    topology, duration.toSeconds(), rate);
            DemoReport report = LiveOutput.run(out, LiveOutput.watched(json, verbose), title, "syncline-demo-",
                    progress -> runDemo(names, progress));
            report.printSummary(out);
            summary = report.toJson();
            status = report.ok() ? 0 : 1;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.error("Demo failed: {}", e.getMessage());
            LOG.debug("Demo failure", e);
            summary = new ObjectMapper().createObjectNode().put("converged", false).put("nodes", nodes)
                    .put("healthy", false).put("error", String.valueOf(e.getMessage())).toString();
            status = 1;
        }
        if (json) {
            out.println(summary);
        }
        out.flush();
        return status;
    }

    private DemoReport runDemo(List<String> names, Progress progress) throws Exception {
        progress.phase("starting PostgreSQL and Kafka", null);
        long startedAt = System.nanoTime();
        ExecutorService starter = Executors.newFixedThreadPool(2 * names.size());
        try (EmbeddedEnvironment environment = EmbeddedEnvironment.create()) {
            List<CompletableFuture<PostgresServer>> postgres = new ArrayList<>();
            List<CompletableFuture<KafkaCluster>> kafka = new ArrayList<>();
            for (String name : names) {
                postgres.add(CompletableFuture.supplyAsync(() -> environment.startPostgres(name), starter));
                kafka.add(CompletableFuture.supplyAsync(() -> environment.startKafka(name), starter));
            }
            try {
                CompletableFuture.allOf(postgres.toArray(CompletableFuture[]::new))
                        .thenCombine(CompletableFuture.allOf(kafka.toArray(CompletableFuture[]::new)), (a, b) -> a)
                        .join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause() : e;
            }
            LOG.info("Started {} PostgreSQL + {} Kafka in {} ms", names.size(), names.size(),
                    (System.nanoTime() - startedAt) / 1_000_000);
            List<PostgresServer> databases = postgres.stream().map(CompletableFuture::join).toList();
            List<KafkaCluster> clusters = kafka.stream().map(CompletableFuture::join).toList();
            List<PostgresHealth> postgresHealth = databases.stream().map(EnvironmentProbe::probe).toList();
            List<String> table = environmentTable(postgresHealth, clusters.stream().map(EnvironmentProbe::probe).toList());
            if (progress == Progress.NONE) {
                table.forEach(out::println);
            } else {
                // The live view owns the terminal; the table goes to the log file with the rest.
                table.forEach(line -> LOG.info("{}", line));
            }
            postgresHealth.stream().filter(h -> !h.healthy()).findFirst().ifPresent(h -> {
                throw new IllegalStateException(h.name() + "'s PostgreSQL is not usable for replication: wal_level="
                        + h.walLevel() + ", track_commit_timestamp=" + h.trackCommitTimestamp());
            });
            ReplicationDemo.Settings settings = new ReplicationDemo.Settings(names, topology, duration, rate,
                    -clockSkew.toMillis(), seed == null ? System.nanoTime() : seed, environment.workDir().resolve("nodes"),
                    DemoPolicy.parse(policy));
            return new ReplicationDemo(settings, databases, clusters, progress).run();
        } finally {
            starter.shutdownNow();
        }
    }

    private static List<String> environmentTable(List<PostgresHealth> postgres, List<KafkaHealth> kafka) {
        String format = "%-6s %-9s %-44s %-10s %-23s %-16s %-23s %9s";
        List<String> lines = new ArrayList<>();
        lines.add(String.format(format, "DC", "POSTGRES", "JDBC URL", "WAL_LEVEL", "TRACK_COMMIT_TIMESTAMP", "KAFKA",
                "CLUSTER ID", "PROBE RTT"));
        for (int i = 0; i < postgres.size(); i++) {
            PostgresHealth pg = postgres.get(i);
            KafkaHealth k = kafka.get(i);
            lines.add(String.format(format, pg.name(), pg.version(), pg.jdbcUrl(), pg.walLevel(), pg.trackCommitTimestamp(),
                    k.bootstrapServers(), k.clusterId(), k.roundTrip().toMillis() + " ms"));
        }
        return lines;
    }

}
