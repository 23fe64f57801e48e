package io.syncline.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.syncline.node.env.EnvironmentProbe;
import io.syncline.node.env.EnvironmentProbe.KafkaHealth;
import io.syncline.node.env.EnvironmentProbe.PostgresHealth;
import io.syncline.node.env.KafkaCluster;
import io.syncline.node.env.PostgresServer;
import io.syncline.node.env.embedded.EmbeddedEnvironment;
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
 * {@code syncline demo}: starts one PostgreSQL and one Kafka per datacenter on this machine,
 * reports their health and shuts everything down. Exit status 0 when every server is healthy.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Start a local multi-datacenter environment (PostgreSQL + Kafka per datacenter),"
                + " report its health and shut it down.")
public final class DemoCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);

    @Option(names = "--nodes", defaultValue = "2", paramLabel = "N",
            description = "Number of datacenters, named dc-a, dc-b, ... (1-26; default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--duration", defaultValue = "0s", converter = DurationConverter.class, paramLabel = "TIME",
            description = "How long to keep the environment up after the health check, e.g. 30s, 5m"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--json", description = "Print a JSON summary as the last line of standard output.")
    boolean json;

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
        ObjectNode summary = new ObjectMapper().createObjectNode().put("nodes", nodes);
        int status;
        try {
            List<String> names = datacenterNames(nodes);
            status = runDemo(names, summary) ? 0 : 1;
        } catch (RuntimeException e) {
            LOG.error("Demo failed: {}", e.getMessage());
            LOG.debug("Demo failure", e);
            summary.put("healthy", false).put("error", String.valueOf(e.getMessage()));
            status = 1;
        }
        if (json) {
            out.println(summary.toString());
        }
        out.flush();
        return status;
    }

    private boolean runDemo(List<String> names, ObjectNode summary) {
        long startedAt = System.nanoTime();
        ExecutorService starter = Executors.newFixedThreadPool(2 * names.size());
        try (EmbeddedEnvironment environment = EmbeddedEnvironment.create()) {
            List<CompletableFuture<PostgresServer>> postgres = new ArrayList<>();
            List<CompletableFuture<KafkaCluster>> kafka = new ArrayList<>();
            for (String name : names) {
                postgres.add(CompletableFuture.supplyAsync(() -> environment.startPostgres(name), starter));
                kafka.add(CompletableFuture.supplyAsync(() -> environment.startKafka(name), starter));
            }
            List<PostgresHealth> postgresHealth = new ArrayList<>();
            List<KafkaHealth> kafkaHealth = new ArrayList<>();
            try {
                CompletableFuture.allOf(postgres.toArray(CompletableFuture[]::new))
                        .thenCombine(CompletableFuture.allOf(kafka.toArray(CompletableFuture[]::new)), (a, b) -> a)
                        .join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause() : e;
            }
            long startupMillis = (System.nanoTime() - startedAt) / 1_000_000;
            LOG.info("Started {} PostgreSQL + {} Kafka in {} ms", names.size(), names.size(), startupMillis);
            for (int i = 0; i < names.size(); i++) {
                postgresHealth.add(EnvironmentProbe.probe(postgres.get(i).join()));
                kafkaHealth.add(EnvironmentProbe.probe(kafka.get(i).join()));
            }
            printTable(postgresHealth, kafkaHealth);
            boolean healthy = postgresHealth.stream().allMatch(PostgresHealth::healthy);
            fillSummary(summary, environment.backendName(), healthy, startupMillis, postgresHealth, kafkaHealth);
            if (!duration.isZero()) {
                LOG.info("Keeping the environment up for {} s (Ctrl-C stops it)", duration.toSeconds());
                Thread.sleep(duration.toMillis());
            }
            return healthy;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        } finally {
            starter.shutdownNow();
        }
    }

    private void printTable(List<PostgresHealth> postgres, List<KafkaHealth> kafka) {
        String format = "%-6s %-9s %-44s %-10s %-23s %-16s %-23s %9s%n";
        out.printf(format, "DC", "POSTGRES", "JDBC URL", "WAL_LEVEL", "TRACK_COMMIT_TIMESTAMP", "KAFKA",
                "CLUSTER ID", "PROBE RTT");
        for (int i = 0; i < postgres.size(); i++) {
            PostgresHealth pg = postgres.get(i);
            KafkaHealth k = kafka.get(i);
            out.printf(format, pg.name(), pg.version(), pg.jdbcUrl(), pg.walLevel(), pg.trackCommitTimestamp(),
                    k.bootstrapServers(), k.clusterId(), k.roundTrip().toMillis() + " ms");
        }
    }

    private static void fillSummary(ObjectNode summary, String backend, boolean healthy, long startupMillis,
            List<PostgresHealth> postgres, List<KafkaHealth> kafka) {
        summary.put("healthy", healthy).put("backend", backend).put("startupMillis", startupMillis);
        ArrayNode datacenters = summary.putArray("datacenters");
        for (int i = 0; i < postgres.size(); i++) {
            PostgresHealth pg = postgres.get(i);
            KafkaHealth k = kafka.get(i);
            ObjectNode dc = datacenters.addObject().put("name", pg.name());
            dc.putObject("postgres").put("version", pg.version()).put("jdbcUrl", pg.jdbcUrl())
                    .put("walLevel", pg.walLevel()).put("trackCommitTimestamp", pg.trackCommitTimestamp())
                    .put("healthy", pg.healthy());
            dc.putObject("kafka").put("bootstrapServers", k.bootstrapServers()).put("clusterId", k.clusterId())
                    .put("probeRoundTripMillis", k.roundTrip().toMillis());
        }
    }
}
