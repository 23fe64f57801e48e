package io.syncline.lab.env.embedded;

import io.syncline.lab.env.KafkaCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka cluster (combined broker and controller) inside this JVM.
 *
 * <p>Its log directory is formatted once with a cluster id chosen here; ports, log directory
 * and cluster id stay the same across restarts. Each cluster gets a node id unique in this
 * JVM so that several clusters do not collide in JMX. Thread-safe: lifecycle methods are
 * synchronized ({@link EmbeddedServer}).
 */
final class InProcessKafka extends EmbeddedServer implements KafkaCluster {

    private static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger NODE_IDS = new AtomicInteger();
    private static final Logger LOG = LoggerFactory.getLogger(InProcessKafka.class);

    private final int port;
    private final int controllerPort;
    private final int nodeId = NODE_IDS.incrementAndGet();
    private final String clusterId = Uuid.randomUuid().toString();
    private KafkaRaftServer server;

    InProcessKafka(String name, Path dir) {
        super("Kafka", name, dir);
        this.port = FreePorts.pick();
        this.controllerPort = FreePorts.pick();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** The id the log directory was formatted with. */
    String clusterId() {
        return clusterId;
    }

    /** Formats the log directory and starts the server; called once, before any other method. */
    synchronized void initialize() {
        requireNew();
        long startedAt = System.nanoTime();
        Dirs.create(dir.resolve("logs"), "rwx------");
        Path config = dir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            properties().store(out, "Syncline embedded Kafka " + name);
        } catch (IOException e) {
            throw new UncheckedIOException("[" + name + "] Cannot write " + config, e);
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int status;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            // --standalone makes this node the only voter of a dynamic KRaft quorum (KIP-853).
            status = StorageTool.execute(new String[] {"format", "--config", config.toString(),
                "--cluster-id", clusterId, "--standalone", "--ignore-formatted"}, print);
        }
        if (status != 0) {
            throw new IllegalStateException("[" + name + "] Cannot format Kafka storage in " + dir
                    + " (status " + status + "): " + output.toString(StandardCharsets.UTF_8));
        }
        launch();
        LOG.info("[{}] Kafka ready at {} in {} ms (cluster id {}, logs in {})",
                name, bootstrapServers(), (System.nanoTime() - startedAt) / 1_000_000, clusterId, dir);
    }

    private Properties properties() {
        Properties props = new Properties();
        props.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", Integer.toString(nodeId)),
                Map.entry("controller.quorum.bootstrap.servers", HOST + ":" + controllerPort),
                Map.entry("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("log.dirs", dir.resolve("logs").toString()),
                Map.entry("auto.create.topics.enable", "true"),
                Map.entry("num.partitions", "1"),
                Map.entry("default.replication.factor", "1"),
                Map.entry("min.insync.replicas", "1"),
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("offsets.topic.num.partitions", "5"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                // The first transactional producer creates this topic; 50 partitions (the default) take seconds here.
                Map.entry("transaction.state.log.num.partitions", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                // The 128 MiB default is allocated up front, per cluster.
                Map.entry("log.cleaner.dedupe.buffer.size", "8388608")));
        return props;
    }

    @Override
    protected void startServer() {
        server = new KafkaRaftServer(KafkaConfig.fromProps(properties(), false), Time.SYSTEM);
        server.startup();
        awaitReady();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000))) {
            while (System.nanoTime() < deadline) {
                try {
                    var cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000));
                    if (!cluster.nodes().get(5, TimeUnit.SECONDS).isEmpty()
                            && clusterId.equals(cluster.clusterId().get(5, TimeUnit.SECONDS))) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("[" + name + "] Interrupted while waiting for Kafka", e);
        }
        throw new IllegalStateException("[" + name + "] Kafka at " + bootstrapServers() + " not ready after "
                + READY_TIMEOUT.toSeconds() + " s", last);
    }

    @Override
    protected void stopServer() {
        KafkaRaftServer running = server;
        server = null;
        if (running != null) {
            running.shutdown();
            running.awaitShutdown();
        }
    }

    @Override
    protected boolean mayStillRun() {
        return server != null;
    }

    @Override
    protected String address() {
        return bootstrapServers();
    }

    @Override
    public String toString() {
        return "Kafka " + name + " at " + bootstrapServers();
    }
}
