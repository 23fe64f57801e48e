package io.syncline.node.cli;

import io.syncline.core.config.ConfigException;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.NodeConfigLoader;
import io.syncline.schema.SchemaException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Loading a node's config for a command that prints its problems and exits. Stateless. */
final class ConfigFiles {

    private ConfigFiles() {}

    /** The loaded config, or {@code null} after printing every problem to {@code err}. */
    static NodeConfig load(Path file, PrintWriter err) {
        try {
            return NodeConfigLoader.load(file);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return null;
        }
    }

    /** What a command does with one connection to the node's database; returns the command's exit status. */
    interface DatabaseWork {
        int run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} on a connection to {@code config}'s database (every parameter of its URL
     * applies), and turns a failure into one line naming the config file: exit status 1.
     */
    static int onDatabase(NodeConfig config, Path file, PrintWriter err, DatabaseWork work) {
        try (Connection connection = DriverManager.getConnection(config.database().url(), config.database().user(),
                config.database().password().reveal())) {
            return work.run(connection);
        } catch (SchemaException e) {
            err.println(file + ": " + e.getMessage());
            return 1;
        } catch (SQLException e) {
            err.println(file + ": database " + config.database().url() + ": " + e.getMessage());
            return 1;
        }
    }
}
