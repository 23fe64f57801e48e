package io.syncline.node.cli;

import io.syncline.core.config.ConfigException;
import io.syncline.core.config.ConfigProblem;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.NodeConfigLoader;
import io.syncline.core.config.TopologyConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code syncline validate-config FILE...}: loads each node config and prints either a one-line
 * summary or every problem. Reads no secrets and contacts no database or broker, unless asked
 * with {@code --database} to hold each config against its live database as {@code init} would.
 *
 * <p>Exit status: 0 if every file is valid, 1 if any is not, 2 for usage errors.
 */
@Command(
        name = "validate-config",
        mixinStandardHelpOptions = true,
        description = "Checks node configuration files and lists every problem with file, line and column.",
        exitCodeOnInvalidInput = CommandLine.ExitCode.USAGE)
public final class ValidateConfigCommand implements Callable<Integer> {

    static final int INVALID = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Node configuration files (YAML).")
    List<Path> files;

    @CommandLine.Option(names = "--database", description = "Also connect to each node's database (reading its password) and"
            + " check what init and run would refuse: missing tables or columns, tables without a primary key, wal_level,"
            + " track_commit_timestamp, the role's REPLICATION right.")
    boolean database;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean allValid = true;
        for (Path file : files) {
            try {
                NodeConfig config = NodeConfigLoader.load(file);
                List<String> databaseProblems = database ? LiveDatabaseCheck.problems(config) : List.of();
                if (!databaseProblems.isEmpty()) {
                    allValid = false;
                    err.println("INVALID " + file + " against its database (" + count(databaseProblems.size(), "problem") + ")");
                    databaseProblems.forEach(p -> err.println("  " + p));
                    continue;
                }
                out.println("OK " + file + " (" + summary(config) + (database ? ", checked against its database" : "") + ")");
                config.warnings().forEach(w -> out.println("  warning: " + w.format()));
            } catch (ConfigException e) {
                allValid = false;
                List<ConfigProblem> problems = e.problems();
                err.println("INVALID " + file + " (" + count(problems.size(), "problem") + ")");
                problems.forEach(p -> err.println("  " + p.format()));
            }
        }
        out.flush();
        err.flush();
        return allValid ? CommandLine.ExitCode.OK : INVALID;
    }

    /** E.g. {@code node dc-a, ring of 3 nodes, 2 tables}. */
    static String summary(NodeConfig config) {
        TopologyConfig topology = config.topology();
        String shape = topology.kind() + " of " + count(topology.nodes().size(), "node")
                + topology.hub().map(hub -> " (hub " + hub + ")").orElse("");
        return "node " + config.nodeId() + ", " + shape + ", " + count(config.tables().size(), "table");
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
