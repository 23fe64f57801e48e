package io.syncline.node.cli;

import io.syncline.core.config.ConfigProblem;
import io.syncline.core.config.ConfigValidator;
import io.syncline.core.config.NodeConfig;
import io.syncline.schema.ExistingRowStamper;
import io.syncline.schema.JdbcTableCatalog;
import io.syncline.schema.ReplicatedTables;
import io.syncline.schema.ReplicationSchemaInstaller;
import io.syncline.schema.SchemaException;
import io.syncline.schema.SequenceRanges;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code syncline init}: prepares the node's database (schema, row-version triggers, publication)
 * and gives the rows that were there before a version of this node (docs/membership.md).
 */
@Command(name = "init", description = "Prepare this node's database for replication (idempotent).")
final class InitCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, description = "The node's YAML config file.")
    Path configFile;

    @Option(names = "--sequence-ranges", description = "Give this node a disjoint range of every sequence that feeds a"
            + " replicated table's primary key: increment by the number of nodes, offset by this node's position in"
            + " topology.nodes. Run it on every node.")
    boolean sequenceRanges;

    @Option(names = "--chunk-rows", defaultValue = "10000", description = "Rows without a version stamped per transaction"
            + " (default ${DEFAULT-VALUE}).")
    int chunkRows;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NodeConfig config = ConfigFiles.load(configFile, err);
        if (config == null) {
            return 1;
        }
        List<String> tables = config.tables().stream().map(t -> t.name().qualified()).toList();
        int status = ConfigFiles.onDatabase(config, configFile, err, connection -> {
            List<ConfigProblem> problems = ConfigValidator.checkAgainstCatalog(config, new JdbcTableCatalog(connection));
            if (!problems.isEmpty()) {
                problems.forEach(p -> err.println(p.format()));
                return 1;
            }
            // Tables added with syncline ddl stay in replication (and in the publication) even where the config
            // does not name them yet.
            ReplicatedTables replicated = new ReplicatedTables(config.tables(), config.conflict().defaultRule());
            replicated.refresh(connection);
            new ReplicationSchemaInstaller(config.nodeId()).installConfigured(connection, replicated.all());
            replicated.notInConfig().forEach(a -> out.printf("table %s joined replication through schema change %d of %s"
                    + " and is not in tables: of %s: it keeps replicating with the default conflict policy; add it to"
                    + " tables:%n", a.table(), a.schemaChangeId(), a.originNode(), configFile));
            checkKeySequences(connection, config, replicated.all().stream().map(t -> t.name().qualified()).toList(), out, err);
            stampExistingRows(connection, config, out);
            return 0;
        });
        if (status != 0) {
            return status;
        }
        out.printf("initialised node %s: %d table(s): %s%n", config.nodeId(), tables.size(),
                String.join(", ", tables));
        return 0;
    }

    /** Gives the rows that existed before the triggers a version, and says how many and how fast. */
    private void stampExistingRows(Connection connection, NodeConfig config, PrintWriter out) throws SQLException {
        if (chunkRows < 1) {
            throw new SchemaException("--chunk-rows must be at least 1, not " + chunkRows);
        }
        List<ExistingRowStamper.TableResult> results = new ExistingRowStamper(config.nodeId(), chunkRows,
                new StampProgressLines(out)).stamp(connection, config.tables());
        long rows = results.stream().mapToLong(ExistingRowStamper.TableResult::stamped).sum();
        long nanos = results.stream().mapToLong(ExistingRowStamper.TableResult::nanos).sum();
        if (rows > 0) {
            out.printf("stamped %,d existing row(s) in %.1f s (%,d rows/s)%n", rows, nanos / 1e9,
                    TableProgressLines.rate(rows, nanos));
        }
    }

    /** Assigns disjoint sequence ranges when asked to, otherwise warns about shared ones. */
    private void checkKeySequences(Connection connection, NodeConfig config, List<String> tables, PrintWriter out,
            PrintWriter err) throws SQLException {
        List<String> nodes = config.topology().nodes();
        int index = nodes.indexOf(config.nodeId());
        for (SequenceRanges.KeySequence sequence : SequenceRanges.find(connection, tables)) {
            if (sequence.disjointFor(index, nodes.size())) {
                continue;
            }
            if (sequenceRanges) {
                long next = SequenceRanges.assign(connection, sequence, index, nodes.size());
                out.printf("sequence %s of %s.%s: increment %d, next value %d (node %d of %d)%n", sequence.sequence(),
                        sequence.table(), sequence.column(), nodes.size(), next, index + 1, nodes.size());
            } else {
                err.printf("warning: %s.%s takes its values from sequence %s, which every node counts alike: concurrent"
                        + " inserts at two nodes will collide on the same keys (insert/insert conflicts, one row lost)."
                        + " Run syncline init --sequence-ranges on every node, or use keys that are unique across"
                        + " nodes (e.g. uuid).%n", sequence.table(), sequence.column(), sequence.sequence());
            }
        }
    }
}
