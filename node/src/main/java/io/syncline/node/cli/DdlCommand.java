package io.syncline.node.cli;

import io.syncline.core.config.NodeConfig;
import io.syncline.schema.ddl.DdlRules;
import io.syncline.schema.ddl.SchemaChange;
import io.syncline.schema.ddl.SchemaChangeRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code syncline ddl}: runs a schema change at this node so that it reaches every DC at its place
 * in this node's stream (docs/schema-changes.md). Changes that cannot be applied at different
 * moments in different DCs are refused, with the sequence to use instead, and nothing changes.
 */
@Command(name = "ddl", mixinStandardHelpOptions = true,
        description = "Run a schema change here and replicate it to every DC (refused, with what to do instead, when it"
                + " is not safe while DCs differ).")
final class DdlCommand implements Callable<Integer> {

    /** Exit status of a refused change: nothing changed. */
    static final int REFUSED = 2;

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, description = "The node's YAML config file.")
    Path configFile;

    @Option(names = {"-f", "--file"}, description = "Read the statements from this file (run as one script).")
    Path file;

    @Option(names = "--dry-run", description = "Judge the change and roll it back: nothing changes, nothing travels.")
    boolean dryRun;

    @Parameters(arity = "0..*", paramLabel = "SQL", description = "Statements, run in order in one transaction.")
    List<String> statements = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> sql = new ArrayList<>(statements);
        if (file != null) {
            try {
                sql.add(Files.readString(file));
            } catch (IOException e) {
                err.println(file + ": cannot read the statements: " + e.getMessage());
                return 1;
            }
        }
        if (sql.isEmpty()) {
            err.println("no statement: give them as arguments or with --file");
            return 1;
        }
        NodeConfig config = ConfigFiles.load(configFile, err);
        if (config == null) {
            return 1;
        }
        return ConfigFiles.onDatabase(config, configFile, err,
                connection -> report(new SchemaChangeRunner(config.nodeId(), config.tables(), config.conflict().defaultRule())
                        .run(connection, sql, dryRun), config, out, err));
    }

    private int report(SchemaChangeRunner.Result result, NodeConfig config, PrintWriter out, PrintWriter err) {
        if (result.failure() != null) {
            err.println("the statement failed, nothing changed: " + result.failure());
            return 1;
        }
        for (DdlRules.Verdict verdict : result.verdicts()) {
            out.println((verdict.accepted() ? "  accepted: " : "  refused:  ")
                    + verdict.change().describe() + (verdict.accepted() ? "" : ": " + verdict.refusal()));
        }
        if (!result.rowsWritten().isEmpty()) {
            out.println("refused: the statements also write rows of " + String.join(", ", result.rowsWritten())
                    + "; run data changes apart, as ordinary writes that replicate");
        }
        if (result.verdicts().isEmpty()) {
            out.println("the statements change no table: nothing to replicate");
            out.flush();
            return REFUSED;
        }
        if (!result.refused().isEmpty() || !result.rowsWritten().isEmpty()) {
            out.println("refused: nothing changed");
            out.flush();
            return REFUSED;
        }
        if (dryRun) {
            out.println("dry run: the change is accepted; nothing changed");
        } else {
            out.printf("schema change %d committed here; it reaches the other DCs through replication%n", result.id());
            result.verdicts().stream().map(DdlRules.Verdict::change).filter(c -> c instanceof SchemaChange.TableCreated)
                    .filter(c -> config.tables().stream().noneMatch(t -> t.name().equals(c.table())))
                    .forEach(c -> out.printf("%s replicates from now on at every DC, with the default conflict policy (%s);"
                            + " add it to tables: in every node's config (docs/schema-changes.md)%n", c.table(),
                            config.conflict().defaultRule().policy().configName()));
        }
        out.flush();
        return 0;
    }
}
