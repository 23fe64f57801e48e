package io.syncline.apply.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.core.config.TableName;
import io.syncline.core.event.SchemaChangeRecord;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.schema.ReplicatedTables;
import io.syncline.schema.ReplicationSchemaInstaller;
import io.syncline.schema.ddl.CatalogReader;
import io.syncline.schema.ddl.Expectation;
import io.syncline.schema.ddl.TableDefinition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a peer's schema change (a row of {@link ReplicationSchema#SCHEMA_CHANGE_TABLE}) in the
 * target transaction that meets it in the origin's stream: runs its statements unless every fact
 * it expects already holds here (the same change ran here too), checks the facts afterwards,
 * makes the changed tables' triggers again and keeps the row as history. A change that fails or
 * leaves another schema here is a {@link LocalSchemaMismatch}: the link waits, nothing of the
 * change is kept, and it is tried again until the tables match. Not thread-safe.
 */
final class RemoteSchemaChange {

    private static final Logger log = LoggerFactory.getLogger(RemoteSchemaChange.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReplicatedTables replicated;
    private final ReplicationSchemaInstaller installer;
    private final String logPrefix;

    /** @param replicated the node's replicated tables, or null when the node takes no schema change */
    RemoteSchemaChange(String localNode, ReplicatedTables replicated, String logPrefix) {
        this.replicated = replicated;
        this.installer = new ReplicationSchemaInstaller(localNode);
        this.logPrefix = logPrefix;
    }

    /**
     * @return the tables the change altered here, whose shapes the caller must read again; empty
     *         when it had already been applied
     */
    Set<TableName> apply(Connection connection, SchemaChangeRecord change) throws SQLException {
        String origin = change.originNode();
        long id = change.id();
        String what = "schema change " + id + " of " + origin;
        List<String> statements = read(change.statements(), new TypeReference<>() {}, what);
        List<Expectation> expected = read(change.expectations(), new TypeReference<>() {}, what);
        Set<TableName> tables = new LinkedHashSet<>(expected.stream().map(Expectation::tableName).toList());
        Set<TableName> created = Expectation.createdTables(expected);
        if (replicated != null) {
            replicated.refresh(connection);
        }
        for (TableName table : tables) {
            if (replicated == null || (!created.contains(table) && !replicated.contains(table))) {
                throw mismatch(table, what + " alters " + table + ", which this node does not replicate: add it to tables:"
                        + " in this node's config (as at " + origin + ") and restart the node");
            }
        }
        CatalogReader catalog = new CatalogReader(connection);
        Savepoint before = connection.setSavepoint();
        if (Expectation.unmet(expected, definitions(catalog, tables)).isEmpty()) {
            log.info("{} {} is already in place here ({}); its statements are skipped", logPrefix, what, statements);
            join(connection, created, origin, change, before, what, expected);
            keep(connection, change);
            return created;
        }
        try (Statement statement = connection.createStatement()) {
            // The statements' unqualified names mean what they meant at the origin; the session's own path comes back after.
            String path;
            try (java.sql.ResultSet rs = statement.executeQuery("SELECT pg_catalog.current_setting('search_path')")) {
                rs.next();
                path = rs.getString(1);
            }
            statement.execute("SELECT pg_catalog.set_config('search_path', " + literal(change.searchPath())
                    + ", true)");
            for (String sql : statements) {
                statement.execute(sql);
            }
            statement.execute("SELECT pg_catalog.set_config('search_path', " + literal(path) + ", true)");
        } catch (SQLException e) {
            connection.rollback(before);
            throw mismatch(tables.iterator().next(), what + " failed here: " + e.getMessage() + " (statements " + statements
                    + "); make the tables match the origin's (" + describe(expected) + ") and the link applies the rest");
        }
        List<String> unmet = Expectation.unmet(expected, definitions(catalog, tables));
        if (!unmet.isEmpty()) {
            connection.rollback(before);
            throw mismatch(tables.iterator().next(), what + " leaves another schema here than at " + origin + ": "
                    + String.join("; ", unmet) + ". Make the tables match (" + describe(expected) + ") and the link goes on");
        }
        Set<TableName> altered = new LinkedHashSet<>(tables);
        altered.removeAll(created);
        installer.reinstallTriggers(connection, altered.stream().map(replicated::config).toList());
        join(connection, created, origin, change, before, what, expected);
        keep(connection, change);
        log.info("{} applied {}: {}", logPrefix, what, statements);
        return tables;
    }

    /**
     * Makes the tables the change created join replication here, as at the origin: triggers, the
     * capture's publication (so that the rows written here from now on travel too) and
     * {@link ReplicationSchema#REPLICATED_TABLE_TABLE}, which the link reads once this transaction
     * commits. Already joined tables (the same change ran here too) are left as they are.
     */
    private void join(Connection connection, Set<TableName> created, String origin, SchemaChangeRecord change, Savepoint before,
            String what, List<Expectation> expected) throws SQLException {
        if (created.isEmpty()) {
            return;
        }
        try {
            installer.joinReplication(connection, created.stream().map(replicated::settings).toList());
            for (TableName table : created) {
                ReplicatedTables.register(connection, table, origin, change.id());
            }
        } catch (SQLException e) {
            connection.rollback(before);
            throw mismatch(created.iterator().next(), what + " creates " + created + ", which cannot join replication here: "
                    + e.getMessage() + ". Fix the cause (" + describe(expected) + ") and the link applies the rest");
        }
        log.info("{} {} added {} to replication here: its rows replicate from now on", logPrefix, what, created);
    }

    private static Map<TableName, TableDefinition> definitions(CatalogReader catalog, Set<TableName> tables)
            throws SQLException {
        Map<TableName, TableDefinition> definitions = new LinkedHashMap<>();
        for (TableName table : tables) {
            TableDefinition definition = catalog.table(table);
            if (definition != null) {
                definitions.put(table, definition);
            }
        }
        return definitions;
    }

    private static void keep(Connection connection, SchemaChangeRecord change) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + ReplicationSchema.SCHEMA_CHANGE_TABLE
                + " (origin_node, id, statements, expectations, search_path) VALUES (?, ?, ?::jsonb, ?::jsonb, ?)"
                + " ON CONFLICT (origin_node, id) DO NOTHING")) {
            insert.setString(1, change.originNode());
            insert.setLong(2, change.id());
            insert.setString(3, change.statements());
            insert.setString(4, change.expectations());
            insert.setString(5, change.searchPath());
            insert.executeUpdate();
        }
    }

    private static String describe(List<Expectation> expected) {
        return String.join("; ", expected.stream().map(Expectation::describe).toList());
    }

    private static LocalSchemaMismatch mismatch(TableName table, String message) {
        return new LocalSchemaMismatch(table.qualified(), null, null, null, message);
    }

    private static <T> T read(String json, TypeReference<T> type, String what) throws SQLException {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new SQLException(what + " is unreadable: " + e.getOriginalMessage(), "22P02", e);
        }
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
