package io.syncline.node.cli;

import io.syncline.core.config.ConfigException;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.NodeConfigLoader;
import io.syncline.core.config.TableConfig;
import io.syncline.node.consistency.TableDiff;
import io.syncline.schema.ReplicatedTables;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options {@code diff} and {@code repair} share: which nodes, which tables, how to compare. */
final class ConsistencyOptions {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "A node's YAML config; give two or more, one per node to compare.")
    List<Path> configs;

    @Option(names = "--table", paramLabel = "SCHEMA.TABLE",
            description = "Compare only this table (repeatable; default: every replicated table).")
    List<String> tables;

    @Option(names = "--chunk-rows", defaultValue = "10000", paramLabel = "N",
            description = "Keys per chunk that each node hashes (default: ${DEFAULT-VALUE}).")
    int chunkRows;

    @Option(names = "--settle", defaultValue = "5s", converter = DurationConverter.class, paramLabel = "TIME",
            description = "Wait before hashing a differing chunk again, so that changes in flight are not reported"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration settle;

    @Option(names = "--rechecks", defaultValue = "2", paramLabel = "N",
            description = "How many times a differing chunk is hashed again (default: ${DEFAULT-VALUE}).")
    int rechecks;

    /** What a command does with the comparison of one table; returns how many things it counted in it. */
    interface PerTable {
        long handle(List<TableDiff.Peer> peers, TableDiff.Report report) throws SQLException;
    }

    /**
     * Loads the configs, connects to every node's database, compares each table and hands its
     * report to {@code perTable}.
     *
     * @return the sum of what {@code perTable} counted, or -1 after printing the error to {@code err}
     */
    long compareEach(String command, PrintWriter err, PerTable perTable) {
        List<TableDiff.Peer> peers = List.of();
        try {
            List<NodeConfig> loaded = load();
            peers = connect(loaded);
            long counted = 0;
            TableDiff.Options diffOptions = new TableDiff.Options(chunkRows, settle, rechecks);
            for (String table : tablesOf(loaded.get(0), peers.get(0).connection())) {
                counted += perTable.handle(peers, TableDiff.compare(peers, table, diffOptions, d -> Thread.sleep(d.toMillis())));
            }
            return counted;
        } catch (SQLException | IllegalArgumentException | IllegalStateException e) {
            err.println(command + ": " + e.getMessage());
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(command + ": interrupted");
            return -1;
        } finally {
            close(peers);
        }
    }

    /**
     * Loads every config; the nodes must replicate the same tables.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    private List<NodeConfig> load() {
        if (configs.size() < 2) {
            throw new IllegalArgumentException("give the configs of at least two nodes (--config a.yaml --config b.yaml)");
        }
        List<NodeConfig> loaded = new ArrayList<>();
        for (Path file : configs) {
            try {
                loaded.add(NodeConfigLoader.load(file));
            } catch (ConfigException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        List<String> first = tableNames(loaded.get(0));
        for (NodeConfig config : loaded.subList(1, loaded.size())) {
            if (!tableNames(config).equals(first)) {
                throw new IllegalArgumentException(config.nodeId() + " replicates " + tableNames(config) + " but "
                        + loaded.get(0).nodeId() + " replicates " + first + "; compare nodes of one deployment");
            }
        }
        return loaded;
    }

    /**
     * The tables to compare: those asked for, each of which must be replicated, or all: those of the
     * config and those added with {@code syncline ddl}, as the first node's database lists them.
     */
    private List<String> tablesOf(NodeConfig config, Connection first) throws SQLException {
        List<String> replicated = new ArrayList<>(tableNames(config));
        for (ReplicatedTables.Added added : ReplicatedTables.read(first)) {
            if (!replicated.contains(added.table().qualified())) {
                replicated.add(added.table().qualified());
            }
        }
        if (tables == null || tables.isEmpty()) {
            return replicated;
        }
        for (String table : tables) {
            if (!replicated.contains(table)) {
                throw new IllegalArgumentException(table + " is not replicated; the replicated tables are " + replicated);
            }
        }
        return tables;
    }

    private static List<TableDiff.Peer> connect(List<NodeConfig> configs) throws SQLException {
        List<TableDiff.Peer> peers = new ArrayList<>();
        try {
            for (NodeConfig config : configs) {
                Connection connection = DriverManager.getConnection(config.database().url(), config.database().user(),
                        config.database().password().reveal());
                peers.add(new TableDiff.Peer(config.nodeId(), connection));
            }
        } catch (SQLException e) {
            close(peers);
            throw e;
        }
        return peers;
    }

    private static void close(List<TableDiff.Peer> peers) {
        for (TableDiff.Peer peer : peers) {
            try {
                peer.connection().close();
            } catch (SQLException e) {
                // Closing after the work is done; nothing left to lose.
            }
        }
    }

    private static List<String> tableNames(NodeConfig config) {
        return config.tables().stream().map(TableConfig::name).map(t -> t.qualified()).toList();
    }
}
