package io.syncline.node.runtime;

import io.syncline.core.config.TableName;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.schema.ReplicatedTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the tables that join replication while the node runs ({@code syncline ddl} of a
 * {@code CREATE TABLE} here, or a peer's applied here), kept in
 * {@link ReplicationSchema#REPLICATED_TABLE_TABLE}: each one the config does not name is a WARN line
 * (at start and when it joins) that asks for it in {@code tables:}, and is listed in the node's
 * status. As a {@link Predicate}, it tells the links which tables a received change may name.
 * Thread-safe.
 */
final class ReplicatedTableWatch implements Predicate<String> {

    private static final Logger log = LoggerFactory.getLogger(ReplicatedTableWatch.class);

    private final String nodeId;
    private final DataSource dataSource;
    private final ReplicatedTables tables;

    ReplicatedTableWatch(String nodeId, DataSource dataSource, ReplicatedTables tables) {
        this.nodeId = nodeId;
        this.dataSource = dataSource;
        this.tables = tables;
    }

    /** Reads the tables added so far and reports those the config does not name. */
    void start() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            report(tables.refresh(connection));
        }
    }

    /** Reads tables added since; on the node's quiet timer. */
    void check() {
        try (Connection connection = dataSource.getConnection()) {
            report(tables.refresh(connection));
        } catch (SQLException | RuntimeException e) {
            // A database outage: the next check tries again.
            log.debug("[{}] reading {} failed: {}", nodeId, ReplicationSchema.REPLICATED_TABLE_TABLE, e.toString());
        }
    }

    private void report(List<ReplicatedTables.Added> fresh) {
        Set<TableName> outside = Set.copyOf(tables.notInConfig().stream().map(ReplicatedTables.Added::table).toList());
        for (ReplicatedTables.Added added : fresh) {
            if (outside.contains(added.table())) {
                log.warn("[{}] table {} joined replication through schema change {} of {} and is not in tables: of this"
                        + " node's config: it replicates with the default conflict policy ({}). Add it to tables: in every"
                        + " node's config, so that the config describes what replicates", nodeId, added.table(),
                        added.schemaChangeId(), added.originNode(), tables.settings(added.table()).conflict().policy()
                                .configName());
            }
        }
    }

    /** Tables that joined replication while the nodes ran and that the config does not name, schema-qualified. */
    List<String> notInConfig() {
        return tables.notInConfig().stream().map(a -> a.table().qualified()).toList();
    }

    /**
     * Whether a received change of {@code table} may pass validation: Syncline's published tables and
     * the replicated ones, and a table this database does not have at all, which a peer's schema
     * change may still bring (the applier holds the change in a schema mismatch until it does). A table
     * this database has but does not replicate is refused: nothing may write it through replication.
     */
    @Override
    public boolean test(String table) {
        if (ReplicationSchema.CAPTURED_OWN_TABLES.contains(table)) {
            return true;
        }
        int dot = table.indexOf('.');
        if (dot < 0) {
            return false;
        }
        TableName name = new TableName(table.substring(0, dot), table.substring(dot + 1));
        if (tables.contains(name) || table.startsWith(ReplicationSchema.SCHEMA + ".")) {
            return tables.contains(name);
        }
        // The table first, its row in replicated_table after: both commit in one transaction, so a table seen
        // here has its row seen by the later statement.
        try (Connection connection = dataSource.getConnection();
                PreparedStatement exists = connection.prepareStatement("SELECT pg_catalog.to_regclass(?) IS NOT NULL")) {
            exists.setString(1, quoted(name));
            boolean present;
            try (ResultSet rs = exists.executeQuery()) {
                rs.next();
                present = rs.getBoolean(1);
            }
            report(tables.refresh(connection));
            return tables.contains(name) || !present;
        } catch (SQLException e) {
            // Not judged now: the applier checks the table again, and waits rather than writes.
            log.debug("[{}] cannot check table {} of a received change: {}", nodeId, table, e.toString());
            return true;
        }
    }

    private static String quoted(TableName table) {
        return "\"" + table.schema().replace("\"", "\"\"") + "\".\"" + table.table().replace("\"", "\"\"") + "\"";
    }
}
