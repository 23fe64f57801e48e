package io.syncline.it.support;

import io.syncline.connector.OutboxReader;
import io.syncline.connector.ReceivedTransaction;
import io.syncline.core.config.NodeConfigLoader;
import io.syncline.core.config.TopologyKind;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.it.env.TestEnvironments;
import io.syncline.lab.demo.ConvergenceCheck;
import io.syncline.lab.demo.DemoConfigWriter;
import io.syncline.lab.demo.QuietFence;
import io.syncline.lab.env.Environment;
import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import io.syncline.node.cli.SynclineCli;
import io.syncline.node.runtime.SynclineNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * N datacenters for end-to-end tests: per datacenter one PostgreSQL and one Kafka from
 * {@link TestEnvironments}, the test tables, {@code syncline init}, a node config file, and a
 * Syncline node that runs in this JVM ({@link #startNode}) or as its own OS process
 * ({@link #startNodeProcess}).
 *
 * <p>Nodes are named {@code dc-a}, {@code dc-b}, ... Nothing replicates until a node is started:
 * rows written before a node's first start are not captured (the capture starts without a
 * snapshot). {@link #awaitQuiet} decides from the databases and outboxes alone when replication
 * has caught up, so it works for in-process and process nodes alike.
 *
 * <p>Not thread-safe, except {@link #connect} and the read-only queries.
 */
public final class DcCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DcCluster.class);
    private static final Duration CHECK_INTERVAL = Duration.ofMillis(250);

    /** What to start. */
    public static final class Builder {
        private int nodes = 2;
        private TopologyKind topology = TopologyKind.ALL_TO_ALL;
        private final List<String> schemaSql = new ArrayList<>();
        private final List<String> tables = new ArrayList<>();
        private final Map<String, String> conflicts = new LinkedHashMap<>();
        private Duration failureTimeout;
        private Integer applyWriters;
        private final Map<String, List<String>> beforeInit = new LinkedHashMap<>();
        private final java.util.Set<String> initLater = new java.util.HashSet<>();

        private Builder() {}

        /** SQL run on one node's database after {@link #schema} and before {@code syncline init}: rows that were there first. */
        public Builder beforeInit(String node, String... sql) {
            beforeInit.computeIfAbsent(node, n -> new ArrayList<>()).addAll(List.of(sql));
            return this;
        }

        /** Leaves {@code syncline init} of {@code node} to the test ({@link DcCluster#init(String)}). */
        public Builder initLater(String node) {
            initLater.add(node);
            return this;
        }

        /** How long a silent peer counts as alive ({@code topology.failure-timeout}; default: the config's default). */
        public Builder failureTimeout(Duration timeout) {
            this.failureTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** {@code apply.writers} of every node's config (default: the config's default). */
        public Builder applyWriters(int writers) {
            this.applyWriters = writers;
            return this;
        }

        /** Number of datacenters, 1-26 (default 2). */
        public Builder nodes(int count) {
            if (count < 1 || count > 26) {
                throw new IllegalArgumentException("nodes must be 1-26: " + count);
            }
            this.nodes = count;
            return this;
        }

        /** The topology of every node's config (default all-to-all; a star's hub is {@code dc-a}). */
        public Builder topology(TopologyKind kind) {
            if (kind == TopologyKind.EDGES) {
                throw new IllegalArgumentException("explicit edges are not supported by DcCluster yet");
            }
            this.topology = Objects.requireNonNull(kind);
            return this;
        }

        /** SQL run on every database before {@code syncline init}, e.g. {@code CREATE TABLE}s. */
        public Builder schema(String sql) {
            schemaSql.add(sql);
            return this;
        }

        /** Schema-qualified tables to replicate; each needs a primary key. */
        public Builder replicate(String... qualifiedTables) {
            tables.addAll(List.of(qualifiedTables));
            return this;
        }

        /**
         * The conflict policy of one replicated table, the same in every node's config: the value of
         * the table's {@code conflict:} key as a YAML flow mapping, e.g. {@code {policy: max}},
         * {@code {policy: origin-priority, origin-priority: [dc-c, dc-a, dc-b]}} or
         * {@code {columns: {hits: {policy: delta}}}}. Tables without one use the default ({@code lww}).
         */
        public Builder conflict(String qualifiedTable, String flowYaml) {
            conflicts.put(qualifiedTable, Objects.requireNonNull(flowYaml));
            return this;
        }

        /** Starts the servers and prepares every database; no node runs yet. */
        public DcCluster start() {
            if (tables.isEmpty()) {
                throw new IllegalStateException("no table to replicate");
            }
            DcCluster cluster = new DcCluster(this);
            try {
                cluster.startServers();
                cluster.prepare();
                return cluster;
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
        }
    }

    private final List<String> names = new ArrayList<>();
    private final TopologyKind topology;
    private final List<String> schemaSql;
    private final List<String> tables;
    private final Map<String, String> conflicts;
    private final Duration failureTimeout;
    private final Integer applyWriters;
    private final Map<String, List<String>> beforeInit;
    private final java.util.Set<String> initLater;
    private final Environment environment;
    private final Path workDirectory;
    private final Map<String, PostgresServer> databases = new LinkedHashMap<>();
    private final Map<String, KafkaCluster> kafka = new LinkedHashMap<>();
    private final Map<String, Path> configFiles = new LinkedHashMap<>();
    private final Map<String, SynclineNode> nodes = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, NodeProcess> processes = new LinkedHashMap<>();
    private final List<NodeProcess> secondProcesses = new ArrayList<>();

    private DcCluster(Builder builder) {
        for (int i = 0; i < builder.nodes; i++) {
            names.add("dc-" + (char) ('a' + i));
        }
        this.topology = builder.topology;
        this.schemaSql = List.copyOf(builder.schemaSql);
        this.tables = List.copyOf(builder.tables);
        this.conflicts = Map.copyOf(builder.conflicts);
        this.failureTimeout = builder.failureTimeout;
        this.applyWriters = builder.applyWriters;
        this.beforeInit = Map.copyOf(builder.beforeInit);
        this.initLater = java.util.Set.copyOf(builder.initLater);
        if (!tables.containsAll(conflicts.keySet())) {
            throw new IllegalArgumentException("conflict policies for tables not replicated: " + conflicts.keySet());
        }
        try {
            this.workDirectory = Files.createTempDirectory("syncline-dc-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.environment = TestEnvironments.create();
    }

    public static Builder builder() {
        return new Builder();
    }

    private void startServers() {
        long startedAt = System.nanoTime();
        ExecutorService starter = Executors.newFixedThreadPool(2 * names.size());
        try {
            Map<String, CompletableFuture<PostgresServer>> pg = new LinkedHashMap<>();
            Map<String, CompletableFuture<KafkaCluster>> kc = new LinkedHashMap<>();
            for (String name : names) {
                pg.put(name, CompletableFuture.supplyAsync(() -> environment.startPostgres(name), starter));
                kc.put(name, CompletableFuture.supplyAsync(() -> environment.startKafka(name), starter));
            }
            for (String name : names) {
                databases.put(name, join(pg.get(name)));
                kafka.put(name, join(kc.get(name)));
            }
        } finally {
            starter.shutdownNow();
        }
        log.info("{} PostgreSQL + {} Kafka ({}) started in {} ms", names.size(), names.size(), environment.backendName(),
                millisSince(startedAt));
    }

    private void prepare() {
        names.forEach(this::prepare);
    }

    /** Creates the test schema in the node's database, writes its config and runs {@code syncline init}. */
    private void prepare(String name) {
        List<KafkaCluster> kafkaInOrder = names.stream().map(kafka::get).toList();
        try (Connection connection = connect(name); Statement statement = connection.createStatement()) {
            for (String sql : schemaSql) {
                statement.execute(sql);
            }
            for (String sql : beforeInit.getOrDefault(name, List.of())) {
                statement.execute(sql);
            }
            Path config = DemoConfigWriter.write(workDirectory.resolve("config"), name, names, topology.configName(),
                    databases.get(name), kafkaInOrder, tables, conflicts, failureTimeout);
            configFiles.put(name, withApplyWriters(config));
        } catch (SQLException e) {
            throw new IllegalStateException("[" + name + "] creating the test schema failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!initLater.contains(name)) {
            int status = SynclineCli.run("init", "--config", configFiles.get(name).toString());
            if (status != 0) {
                throw new IllegalStateException("[" + name + "] syncline init exited with " + status);
            }
        }
    }

    /** Runs {@code syncline init} of a node built with {@link Builder#initLater}, as a user runs it. */
    public CliRun init(String node) {
        return CliRun.of("init", "--config", configFile(node).toString());
    }

    /**
     * Puts a new, empty PostgreSQL server (a new system identifier) behind the node, as a database
     * rebuilt from scratch: the test schema and {@code syncline init} again, and the node's config
     * written again with the same settings but the new server's address. The old server keeps running.
     * The node must not run.
     */
    public void rebuildDatabase(String node) {
        requireNotRunning(node);
        databases.put(node, environment.startPostgres(node + "-rebuilt"));
        prepare(node);
    }

    /**
     * Writes every other node's config again without {@code node}, as the operator does after it left;
     * a running node reads its config when it starts.
     */
    public void removeFromConfigs(String node) {
        List<String> remaining = names.stream().filter(n -> !n.equals(node)).toList();
        List<KafkaCluster> kafkaInOrder = remaining.stream().map(kafka::get).toList();
        for (String name : remaining) {
            try {
                configFiles.put(name, withApplyWriters(DemoConfigWriter.write(workDirectory.resolve("config"), name,
                        remaining, topology.configName(), databases.get(name), kafkaInOrder, tables, conflicts, failureTimeout)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private Path withApplyWriters(Path config) throws IOException {
        return applyWriters == null ? config : DemoConfigWriter.withApplyWriters(config, applyWriters);
    }

    /** dc-a, dc-b, ... */
    public List<String> names() {
        return List.copyOf(names);
    }

    public String backendName() {
        return environment.backendName();
    }

    public PostgresServer postgres(String node) {
        return require(databases, node);
    }

    public KafkaCluster kafka(String node) {
        return require(kafka, node);
    }

    public Path configFile(String node) {
        return require(configFiles, node);
    }

    /** Where the node keeps its local state (capture offsets); the same across restarts. */
    public Path dataDirectory(String node) {
        require(configFiles, node);
        return workDirectory.resolve("data").resolve(node);
    }

    /** A new connection to the node's database as its superuser; the caller closes it. */
    public Connection connect(String node) throws SQLException {
        PostgresServer pg = postgres(node);
        return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
    }

    // ---------------------------------------------------------------- nodes in this JVM

    /** Starts the node in this JVM; returns once its capture streams. */
    public SynclineNode startNode(String node) {
        requireNotRunning(node);
        try {
            SynclineNode started = new SynclineNode(NodeConfigLoader.load(configFile(node)), dataDirectory(node),
                    Clock.systemUTC());
            nodes.put(node, started);
            started.start();
            return started;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + node, e);
        }
    }

    /** Starts every node in this JVM, in parallel (each capture takes a few seconds to start). */
    public void startAllNodes() {
        List<CompletableFuture<SynclineNode>> started = new ArrayList<>();
        for (String name : names) {
            started.add(CompletableFuture.supplyAsync(() -> startNode(name)));
        }
        started.forEach(DcCluster::join);
    }

    /** The node running in this JVM. */
    public SynclineNode node(String node) {
        SynclineNode running = nodes.get(node);
        if (running == null || running.state() != SynclineNode.State.RUNNING) {
            throw new IllegalStateException(node + " does not run in this JVM");
        }
        return running;
    }

    /** Stops the in-process node cleanly; its database, Kafka and local state stay. */
    public void stopNode(String node) {
        SynclineNode running = nodes.remove(node);
        if (running != null) {
            running.close();
        }
    }

    public void stopAllNodes() {
        new ArrayList<>(nodes.keySet()).forEach(this::stopNode);
    }

    // ---------------------------------------------------------------- nodes as OS processes

    /** Starts {@code syncline run} for the node in a new JVM; returns once its capture streams. */
    public NodeProcess startNodeProcess(String node) {
        return startNodeProcess(node, List.of());
    }

    /** As {@link #startNodeProcess(String)}, with {@code jvmOptions} for the node's JVM (e.g. {@code -Xmx128m}). */
    public NodeProcess startNodeProcess(String node, List<String> jvmOptions) {
        requireNotRunning(node);
        NodeProcess process = NodeProcess.start(node, configFile(node), dataDirectory(node),
                workDirectory.resolve("logs").resolve(node + ".log"), jvmOptions);
        processes.put(node, process);
        process.awaitRunning(Duration.ofSeconds(90));
        return process;
    }

    /**
     * Starts another {@code syncline run} of the node's config in a new JVM, as a second host of the
     * datacenter would: with a data directory of its own, {@code runOptions} added (e.g.
     * {@code --standby}). Returns at once; the caller waits for what it expects.
     */
    public NodeProcess startSecondNodeProcess(String node, String name, String... runOptions) {
        require(configFiles, node);
        NodeProcess process = NodeProcess.start(node, configFile(node), workDirectory.resolve("data").resolve(name),
                workDirectory.resolve("logs").resolve(name + ".log"), runOptions);
        secondProcesses.add(process);
        return process;
    }

    /** Runs {@code syncline <arguments>} in a new JVM, logging to a file named after {@code name}; returns at once. */
    public NodeProcess startCommandProcess(String name, String... arguments) {
        NodeProcess process = NodeProcess.command(name, workDirectory.resolve("logs").resolve(name + ".log"), List.of(),
                List.of(arguments));
        secondProcesses.add(process);
        return process;
    }

    private void requireNotRunning(String node) {
        NodeProcess process = processes.get(node);
        if (nodes.containsKey(node) || (process != null && process.isAlive())) {
            throw new IllegalStateException(node + " is already running");
        }
        processes.remove(node);
    }

    // ---------------------------------------------------------------- replication state

    /** One record of an outbox, decoded. */
    public record OutboxRecord(long offset, String origin, long position, long txId, int changes) {}

    /** Every transaction record of {@code node}'s outbox, in offset order. */
    public List<OutboxRecord> outbox(String node) {
        List<OutboxRecord> records = new ArrayList<>();
        try (OutboxReader reader = new OutboxReader("it-observer", node, kafkaSettings(node))) {
            OptionalLong end = reader.endOffset(Duration.ofSeconds(30));
            if (end.isEmpty()) {
                throw new IllegalStateException("the Kafka of " + node + " did not tell the end of its outbox");
            }
            reader.seek(OptionalLong.empty());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (reader.position() < end.getAsLong()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading the outbox of " + node + " up to " + end.getAsLong()
                            + " took longer than 60 s; at " + reader.position());
                }
                for (ReceivedTransaction received : reader.poll(Duration.ofMillis(200))) {
                    if (received.isChunk()) {
                        // A large transaction: its last chunk stands for it (position, id; changes not counted).
                        if (received.chunk().last()) {
                            records.add(new OutboxRecord(received.offset(), received.chunk().originNode(),
                                    received.chunk().originPosition(), received.chunk().originTxId(), 0));
                        }
                        continue;
                    }
                    records.add(new OutboxRecord(received.offset(), received.transaction().originNode(),
                            received.transaction().originPosition(), received.transaction().originTxId(),
                            received.transaction().changes().size()));
                }
            }
        }
        return records;
    }

    /** The end offset of {@code node}'s outbox (records and Kafka transaction markers). */
    public long outboxEndOffset(String node) {
        try (OutboxReader reader = new OutboxReader("it-observer", node, kafkaSettings(node))) {
            return reader.endOffset(Duration.ofSeconds(30))
                    .orElseThrow(() -> new IllegalStateException("the Kafka of " + node + " did not answer"));
        }
    }

    /** {@code syncline.applied_position} of {@code node}: origin -> last applied position (only rows >= 0). */
    public Map<String, Long> appliedPositions(String node) throws SQLException {
        Map<String, Long> positions = new LinkedHashMap<>();
        try (Connection connection = connect(node); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT origin_node, position FROM "
                        + ReplicationSchema.APPLIED_POSITION_TABLE + " WHERE position >= 0 ORDER BY origin_node")) {
            while (rs.next()) {
                positions.put(rs.getString(1), rs.getLong(2));
            }
        }
        return positions;
    }

    /**
     * Waits until everything committed so far on every database has been applied on every other
     * one: each capture's slot has confirmed a fence written now (see {@link QuietFence}), then, for every origin,
     * every other node's applied position has reached the newest position of that origin in the
     * origin's outbox. Call it once the writers stopped; it needs running nodes.
     *
     * @throws IllegalStateException with the positions seen, when {@code timeout} passes first
     */
    public Duration awaitQuiet(Duration timeout) throws SQLException {
        long startedAt = System.nanoTime();
        long deadline = startedAt + timeout.toNanos();
        for (String node : names) {
            String stopLsn = queryString(node, QuietFence.EMIT_SQL);
            awaitTrue(deadline, "the capture of " + node + " confirming its WAL up to " + stopLsn, () -> {
                try (Connection connection = connect(node); PreparedStatement statement = connection.prepareStatement(
                        "SELECT confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
                    statement.setString(1, stopLsn);
                    statement.setString(2, ReplicationSchema.slotName(node));
                    try (ResultSet rs = statement.executeQuery()) {
                        return rs.next() && rs.getBoolean(1);
                    }
                }
            });
        }
        for (String origin : names) {
            long newest = outbox(origin).stream().filter(r -> r.origin().equals(origin))
                    .mapToLong(OutboxRecord::position).max().orElse(-1);
            if (newest < 0) {
                continue;
            }
            for (String node : names) {
                if (!node.equals(origin)) {
                    awaitTrue(deadline, node + " applying " + origin + " up to position " + newest,
                            () -> appliedPositions(node).getOrDefault(origin, -1L) >= newest);
                }
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - startedAt);
        log.info("replication quiet after {} ms", took.toMillis());
        return took;
    }

    /**
     * Waits until every node has collected all its tombstones and every progress report, the own and
     * the received ones, says nobody waits any more: from then on the nodes publish no progress
     * reports until the next delete, so outboxes hold only the tests' own transactions.
     */
    public void awaitTombstonesCollected(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String node : names) {
            awaitTrue(deadline, node + " collecting its tombstones and nobody awaiting progress", () ->
                    queryLong(node, "SELECT count(*) FROM syncline.tombstone") == 0
                    && queryLong(node, "SELECT count(*) FROM syncline.progress_report WHERE awaiting") == 0
                    && queryLong(node, "SELECT count(*) FROM syncline.peer_progress WHERE awaiting") == 0);
        }
    }

    /** Row-by-row comparison of {@code tables} (table -> key column) across all databases, metadata included. */
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

    public long queryLong(String node, String sql) throws SQLException {
        try (Connection connection = connect(node); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row from " + sql);
            }
            return rs.getLong(1);
        }
    }

    public String queryString(String node, String sql) throws SQLException {
        try (Connection connection = connect(node); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Every row of {@code sql}, each column as text (so NULL stays null). */
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

    private Map<String, Object> kafkaSettings(String node) {
        return Map.of("bootstrap.servers", kafka(node).bootstrapServers());
    }

    /** A condition that may throw; polled until true. */
    @FunctionalInterface
    public interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(long deadline, String what, Check check) {
        while (true) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (Exception e) {
                log.debug("waiting for {}: {}", what, e.toString());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("replication did not become quiet in time: waiting for " + what);
            }
            // Polling interval of a wait with a deadline, not a fixed wait for an outcome.
            java.util.concurrent.locks.LockSupport.parkNanos(CHECK_INTERVAL.toNanos());
        }
    }

    @Override
    public void close() {
        stopAllNodes();
        processes.values().forEach(NodeProcess::kill);
        processes.clear();
        secondProcesses.forEach(NodeProcess::kill);
        secondProcesses.clear();
        try {
            environment.close();
        } finally {
            deleteQuietly(workDirectory);
        }
    }

    private static void deleteQuietly(Path directory) {
        try (var paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not remove {}: {}", directory, e.toString());
        }
    }

    private <T> T require(Map<String, T> map, String node) {
        T value = map.get(node);
        if (value == null) {
            throw new IllegalArgumentException("no datacenter " + node + "; there are " + names);
        }
        return value;
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }

    /** For messages: what each node has applied, per origin. */
    public String describePositions() {
        return names.stream().map(n -> {
            try {
                return n + "=" + appliedPositions(n);
            } catch (SQLException e) {
                return n + "=?(" + e.getMessage() + ")";
            }
        }).toList().toString();
    }
}
