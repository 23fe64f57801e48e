package io.syncline.it.support;

import io.syncline.core.config.NodeConfigLoader;
import io.syncline.core.config.TopologyKind;
import io.syncline.it.env.TestEnvironments;
import io.syncline.node.cli.SynclineCli;
import io.syncline.node.demo.ConvergenceCheck;
import io.syncline.node.env.Environment;
import io.syncline.node.env.KafkaCluster;
import io.syncline.node.env.PostgresServer;
import io.syncline.node.runtime.SynclineNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * N datacenters (dc-a, dc-b, ...) for the topology tests: per datacenter a PostgreSQL and a Kafka
 * of its own from {@link TestEnvironments}, the test schema, {@code syncline init}, a node config
 * with a short {@code topology.failure-timeout}, and in-process {@link SynclineNode}s that can be
 * stopped and started again on the same state.
 *
 * <p>Deliberately close in shape to the two-DC fixture being written on the {@code e2e} branch
 * ({@code DcCluster}: same names and method names); once that is merged, this class should become
 * a thin layer over it (it adds the failure timeout and star hub to the config). Not thread-safe
 * except {@link #connect} and the queries.
 */
public final class TopologyCluster implements AutoCloseable {

    private final List<String> names = new ArrayList<>();
    private final TopologyKind topology;
    private final Duration failureTimeout;
    private final Environment environment;
    private final Path workDirectory;
    private final Map<String, PostgresServer> databases = new LinkedHashMap<>();
    private final Map<String, KafkaCluster> kafka = new LinkedHashMap<>();
    private final Map<String, Path> configFiles = new LinkedHashMap<>();
    private final Map<String, SynclineNode> nodes = new LinkedHashMap<>();

    private TopologyCluster(int count, TopologyKind topology, Duration failureTimeout) throws IOException {
        for (int i = 0; i < count; i++) {
            names.add("dc-" + (char) ('a' + i));
        }
        this.topology = topology;
        this.failureTimeout = failureTimeout;
        this.workDirectory = Files.createTempDirectory("syncline-topology-");
        this.environment = TestEnvironments.create();
    }

    /**
     * Starts the servers, runs {@code schemaSql} on every database and {@code syncline init} for
     * {@code tables}; no node runs yet. A star's hub is dc-a.
     */
    public static TopologyCluster start(int count, TopologyKind topology, Duration failureTimeout, List<String> schemaSql,
                                        List<String> tables) throws Exception {
        TopologyCluster cluster = new TopologyCluster(count, topology, failureTimeout);
        try {
            cluster.startServers();
            cluster.prepare(schemaSql, tables);
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void startServers() {
        ExecutorService starter = Executors.newFixedThreadPool(2 * names.size());
        try {
            Map<String, CompletableFuture<PostgresServer>> pg = new LinkedHashMap<>();
            Map<String, CompletableFuture<KafkaCluster>> kc = new LinkedHashMap<>();
            for (String name : names) {
                pg.put(name, CompletableFuture.supplyAsync(() -> environment.startPostgres(name), starter));
                kc.put(name, CompletableFuture.supplyAsync(() -> environment.startKafka(name), starter));
            }
            for (String name : names) {
                databases.put(name, pg.get(name).join());
                kafka.put(name, kc.get(name).join());
            }
        } finally {
            starter.shutdownNow();
        }
    }

    private void prepare(List<String> schemaSql, List<String> tables) throws SQLException, IOException {
        for (String name : names) {
            try (Connection connection = connect(name); Statement statement = connection.createStatement()) {
                for (String sql : schemaSql) {
                    statement.execute(sql);
                }
            }
            configFiles.put(name, writeConfig(name, tables));
            int status = SynclineCli.run("init", "--config", configFiles.get(name).toString());
            if (status != 0) {
                throw new IllegalStateException("[" + name + "] syncline init exited with " + status);
            }
        }
    }

    private Path writeConfig(String nodeId, List<String> tables) throws IOException {
        Path directory = workDirectory.resolve("config");
        Files.createDirectories(directory);
        PostgresServer database = databases.get(nodeId);
        Path passwordFile = directory.resolve(nodeId + ".db-password");
        Files.writeString(passwordFile, database.password());
        StringBuilder yaml = new StringBuilder();
        yaml.append("node:\n  id: ").append(nodeId).append('\n');
        yaml.append("database:\n  url: ").append(database.jdbcUrl()).append('\n')
                .append("  user: ").append(database.user()).append('\n')
                .append("  password-file: ").append(passwordFile).append('\n');
        yaml.append("kafka:\n  bootstrap-servers: ").append(kafka.get(nodeId).bootstrapServers()).append('\n');
        yaml.append("topology:\n  kind: ").append(topology.configName()).append('\n')
                .append("  nodes: [").append(String.join(", ", names)).append("]\n")
                .append("  failure-timeout: ").append(failureTimeout.toMillis()).append("ms\n");
        if (topology == TopologyKind.STAR) {
            yaml.append("  hub: ").append(names.get(0)).append('\n');
        }
        yaml.append("peers:\n");
        for (String peer : names) {
            if (!peer.equals(nodeId)) {
                yaml.append("  - id: ").append(peer).append('\n')
                        .append("    kafka:\n      bootstrap-servers: ").append(kafka.get(peer).bootstrapServers()).append('\n');
            }
        }
        yaml.append("tables:\n");
        tables.forEach(t -> yaml.append("  - ").append(t).append('\n'));
        Path file = directory.resolve(nodeId + ".yaml");
        Files.writeString(file, yaml.toString());
        return file;
    }

    /** dc-a, dc-b, ... */
    public List<String> names() {
        return List.copyOf(names);
    }

    public KafkaCluster kafka(String node) {
        return require(kafka, node);
    }

    public PostgresServer postgres(String node) {
        return require(databases, node);
    }

    /** A new connection to the node's database as its superuser; the caller closes it. */
    public Connection connect(String node) throws SQLException {
        PostgresServer pg = postgres(node);
        return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
    }

    /** Starts the node in this JVM on its config and local state; returns once its capture streams. */
    public SynclineNode startNode(String node) throws Exception {
        if (nodes.containsKey(node)) {
            throw new IllegalStateException(node + " already runs");
        }
        SynclineNode started = new SynclineNode(NodeConfigLoader.load(require(configFiles, node)),
                workDirectory.resolve("data").resolve(node), Clock.systemUTC());
        nodes.put(node, started);
        started.start();
        return started;
    }

    /** Starts every node, in parallel (each capture takes a few seconds to start). */
    public void startAllNodes() throws Exception {
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (String name : names) {
            SynclineNode node = new SynclineNode(NodeConfigLoader.load(configFiles.get(name)),
                    workDirectory.resolve("data").resolve(name), Clock.systemUTC());
            nodes.put(name, node);
            started.add(CompletableFuture.runAsync(() -> {
                try {
                    node.start();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }));
        }
        started.forEach(CompletableFuture::join);
    }

    /** The running node. */
    public SynclineNode node(String node) {
        SynclineNode running = nodes.get(node);
        if (running == null) {
            throw new IllegalStateException(node + " does not run");
        }
        return running;
    }

    /** Stops the node (its database, Kafka and local state stay), as a crash of the node process would. */
    public void stopNode(String node) {
        SynclineNode running = nodes.remove(node);
        if (running != null) {
            running.close();
        }
    }

    public long queryLong(String node, String sql) throws SQLException {
        try (Connection connection = connect(node); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row from " + sql);
            }
            return rs.getLong(1);
        }
    }

    /** Every row of {@code sql}, each column as text. */
    public List<List<String>> queryRows(String node, String sql) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Connection connection = connect(node); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>(columns);
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    public void execute(String node, String... sql) throws SQLException {
        try (Connection connection = connect(node); Statement statement = connection.createStatement()) {
            for (String s : sql) {
                statement.execute(s);
            }
        }
    }

    /** Row-by-row comparison of {@code tablesWithKey} (table -> key column) across all databases, metadata included. */
    public ConvergenceCheck.Result compare(Map<String, String> tablesWithKey) throws SQLException {
        List<Connection> connections = new ArrayList<>();
        try {
            for (String node : names) {
                connections.add(connect(node));
            }
            return ConvergenceCheck.compare(connections, tablesWithKey);
        } finally {
            for (Connection connection : connections) {
                connection.close();
            }
        }
    }

    @Override
    public void close() {
        new ArrayList<>(nodes.keySet()).forEach(this::stopNode);
        try {
            environment.close();
        } finally {
            try (var paths = Files.walk(workDirectory)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // Temporary directory; leaving it behind is harmless.
            }
        }
    }

    private <T> T require(Map<String, T> map, String node) {
        T value = map.get(node);
        if (value == null) {
            throw new IllegalArgumentException("no datacenter " + node + "; there are " + names);
        }
        return value;
    }
}
