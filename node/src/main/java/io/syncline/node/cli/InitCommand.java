package io.syncline.node.cli;

import io.syncline.conflict.schema.JdbcTableCatalog;
import io.syncline.conflict.schema.ReplicationSchemaInstaller;
import io.syncline.conflict.schema.SchemaException;
import io.syncline.core.config.ConfigException;
import io.syncline.core.config.ConfigProblem;
import io.syncline.core.config.ConfigValidator;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.NodeConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code syncline init}: prepares the node's database (schema, row-version triggers, publication). */
@Command(name = "init", description = "Prepare this node's database for replication (idempotent).")
final class InitCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, description = "The node's YAML config file.")
    Path configFile;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NodeConfig config;
        try {
            config = NodeConfigLoader.load(configFile);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
        List<String> tables = config.tables().stream().map(t -> t.name().qualified()).toList();
        try (Connection connection = DriverManager.getConnection(
                config.database().url(), config.database().user(), config.database().password().reveal())) {
            List<ConfigProblem> problems = ConfigValidator.checkAgainstCatalog(config, new JdbcTableCatalog(connection));
            if (!problems.isEmpty()) {
                problems.forEach(p -> err.println(p.format()));
                return 1;
            }
            new ReplicationSchemaInstaller(config.nodeId()).installConfigured(connection, config.tables());
        } catch (SchemaException e) {
            err.println(configFile + ": " + e.getMessage());
            return 1;
        } catch (SQLException e) {
            err.println(configFile + ": database " + config.database().url() + ": " + e.getMessage());
            return 1;
        }
        out.printf("initialised node %s: %d table(s): %s%n", config.nodeId(), tables.size(),
                String.join(", ", tables));
        return 0;
    }
}
