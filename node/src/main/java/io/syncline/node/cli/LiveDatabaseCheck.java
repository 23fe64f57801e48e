package io.syncline.node.cli;

import io.syncline.core.config.ConfigValidator;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.TableConfig;
import io.syncline.schema.JdbcTableCatalog;
import io.syncline.schema.SchemaException;
import io.syncline.schema.TableKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A node config held against its live database, with the checks {@code syncline init} and
 * {@code syncline run} make before they change anything: the tables and the columns the conflict
 * rules name exist, every table has a primary key, the server decodes logical replication with
 * commit timestamps, and the node's role may replicate. Reads only.
 */
final class LiveDatabaseCheck {

    private LiveDatabaseCheck() {}

    /** Every problem found, each saying what to do; empty when init and run would accept the database. */
    static List<String> problems(NodeConfig config) {
        List<String> problems = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(config.database().url(), config.database().user(),
                config.database().password().reveal())) {
            ConfigValidator.checkAgainstCatalog(config, new JdbcTableCatalog(connection)).forEach(p -> problems.add(p.format()));
            for (TableConfig table : config.tables()) {
                try {
                    TableKey.read(connection, table.name().qualified());
                } catch (SchemaException e) {
                    if (!e.getMessage().contains("does not exist")) {
                        problems.add(e.getMessage());
                    }
                }
            }
            serverSettings(connection, problems);
        } catch (SQLException e) {
            problems.add("database " + config.database().url() + " as " + config.database().user() + ": " + e.getMessage());
        }
        return problems;
    }

    private static void serverSettings(Connection connection, List<String> problems) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(
                "SELECT current_setting('wal_level'), current_setting('track_commit_timestamp'), current_user,"
                        + " r.rolsuper OR r.rolreplication FROM pg_roles r WHERE r.rolname = current_user")) {
            rs.next();
            if (!"logical".equals(rs.getString(1))) {
                problems.add("wal_level is " + rs.getString(1) + "; the capture needs logical: ALTER SYSTEM SET wal_level ="
                        + " logical, then restart PostgreSQL");
            }
            if (!"on".equals(rs.getString(2))) {
                problems.add("track_commit_timestamp is off; the applier needs it: ALTER SYSTEM SET track_commit_timestamp ="
                        + " on, then restart PostgreSQL");
            }
            if (!rs.getBoolean(4)) {
                problems.add("role " + rs.getString(3) + " may not start logical replication: ALTER ROLE " + rs.getString(3)
                        + " REPLICATION");
            }
        }
    }
}
