package io.syncline.lab.demo;

import com.zaxxer.hikari.HikariDataSource;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.NodeConfigLoader;
import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import io.syncline.node.runtime.DataSources;
import io.syncline.node.runtime.SynclineNode;
import io.syncline.schema.ReplicationSchemaInstaller;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Syncline nodes on servers already started on this machine, one per datacenter, configured
 * through real YAML files: what the demo and the benchmark run. Nodes can be stopped and
 * started again on the same local state. Not thread-safe.
 */
public final class LocalCluster implements AutoCloseable {

    private final List<String> names;
    private final List<PostgresServer> databases;
    private final List<KafkaCluster> kafka;
    private final List<NodeConfig> configs = new ArrayList<>();
    private final List<HikariDataSource> appPools = new ArrayList<>();
    private final SynclineNode[] nodes;
    private final Path workDirectory;

    /**
     * @param topology  all-to-all, ring or star (the first node is the hub)
     * @param tables    the replicated tables; they must exist before {@link #init}
     */
    public LocalCluster(List<String> names, String topology, List<PostgresServer> databases, List<KafkaCluster> kafka,
                        List<String> tables, Path workDirectory) throws IOException {
        this(names, topology, databases, kafka, tables, Map.of(), workDirectory);
    }

    /**
     * @param conflicts table -> its {@code conflict:} section as a YAML flow mapping (see
     *                  {@link DemoConfigWriter#write(Path, String, List, String, PostgresServer, List, List, Map)})
     */
    public LocalCluster(List<String> names, String topology, List<PostgresServer> databases, List<KafkaCluster> kafka,
                        List<String> tables, Map<String, String> conflicts, Path workDirectory) throws IOException {
        this(names, topology, databases, kafka, tables, conflicts, workDirectory, OptionalInt.empty());
    }

    /** @param applyWriters every node's {@code apply.writers}; empty for the config's default */
    public LocalCluster(List<String> names, String topology, List<PostgresServer> databases, List<KafkaCluster> kafka,
                        List<String> tables, Map<String, String> conflicts, Path workDirectory, OptionalInt applyWriters)
            throws IOException {
        this.names = List.copyOf(names);
        this.databases = List.copyOf(databases);
        this.kafka = List.copyOf(kafka);
        this.workDirectory = workDirectory;
        this.nodes = new SynclineNode[names.size()];
        for (int i = 0; i < names.size(); i++) {
            Path file = DemoConfigWriter.write(workDirectory, names.get(i), names, topology, databases.get(i), kafka, tables,
                    conflicts);
            if (applyWriters.isPresent()) {
                DemoConfigWriter.withApplyWriters(file, applyWriters.getAsInt());
            }
            configs.add(NodeConfigLoader.load(file));
            appPools.add(DataSources.create(names.get(i) + "-app", databases.get(i).jdbcUrl(), databases.get(i).user(),
                    databases.get(i).password(), 8));
        }
    }

    public List<String> names() {
        return names;
    }

    /** A pool on datacenter {@code i}'s database for the application's own writes and reads. */
    public HikariDataSource database(int i) {
        return appPools.get(i);
    }

    public PostgresServer server(int i) {
        return databases.get(i);
    }

    /** {@code syncline init} on datacenter {@code i}: row-version columns, triggers, publication. */
    public void init(int i) throws SQLException {
        try (Connection connection = appPools.get(i).getConnection()) {
            // As syncline init: the triggers also keep the merge metadata the configured policies need.
            new ReplicationSchemaInstaller(names.get(i)).installConfigured(connection, configs.get(i).tables());
        }
    }

    public void initAll() throws SQLException {
        for (int i = 0; i < names.size(); i++) {
            init(i);
        }
    }

    /** Starts datacenter {@code i}'s node on its local state; returns once its capture streams. */
    public SynclineNode start(int i) throws InterruptedException {
        if (nodes[i] != null) {
            throw new IllegalStateException(names.get(i) + " is already running");
        }
        nodes[i] = new SynclineNode(configs.get(i), workDirectory.resolve(names.get(i)), Clock.systemUTC());
        try {
            nodes[i].start();
        } catch (RuntimeException | InterruptedException e) {
            nodes[i].close();
            nodes[i] = null;
            throw e;
        }
        return nodes[i];
    }

    public void startAll() throws InterruptedException {
        for (int i = 0; i < names.size(); i++) {
            start(i);
        }
    }

    public void stop(int i) {
        if (nodes[i] != null) {
            nodes[i].close();
            nodes[i] = null;
        }
    }

    /** The running nodes, in datacenter order. */
    public List<SynclineNode> runningNodes() {
        List<SynclineNode> running = new ArrayList<>();
        for (SynclineNode node : nodes) {
            if (node != null) {
                running.add(node);
            }
        }
        return running;
    }

    /** Kafka client settings per datacenter name. */
    public Map<String, Map<String, Object>> kafkaSettings() {
        Map<String, Map<String, Object>> settings = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            settings.put(names.get(i), Map.of("bootstrap.servers", kafka.get(i).bootstrapServers()));
        }
        return settings;
    }

    @Override
    public void close() {
        for (int i = 0; i < nodes.length; i++) {
            stop(i);
        }
        appPools.forEach(HikariDataSource::close);
    }
}
