package io.syncline.schema;

import io.syncline.core.schema.ReplicationSchema;
import io.syncline.core.schema.TableObjectNames;
import io.syncline.core.schema.TableObjectNames.Kind;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code syncline.table_objects}: which table each trigger function of {@code syncline init}
 * belongs to. Finds functions two tables would share, records the names installed, and drops the
 * functions no trigger uses any more (those of an older naming, or of a table that was dropped).
 * Works inside the installer's transaction; not thread-safe.
 */
final class TableObjectRegistry {

    private static final String TRIGGER_NAMES = "ARRAY['" + String.join("', '",
            java.util.Arrays.stream(Kind.values()).map(Kind::triggerName).toList()) + "']";

    private final Connection connection;

    TableObjectRegistry(Connection connection) {
        this.connection = connection;
    }

    /**
     * Every function name that two of {@code tables} would share, as one message per clash naming
     * both tables. Pure: the names alone decide.
     */
    static List<String> collisions(List<TableObjectNames> tables) {
        Map<String, TableObjectNames> owners = new LinkedHashMap<>();
        Set<String> problems = new LinkedHashSet<>();
        for (TableObjectNames table : tables) {
            for (Kind kind : Kind.values()) {
                TableObjectNames other = owners.putIfAbsent(table.function(kind), table);
                if (other != null && !other.equals(table)) {
                    problems.add(clash(other.qualifiedTable(), table.qualifiedTable(), table.function(kind)));
                }
            }
        }
        return List.copyOf(problems);
    }

    /**
     * The functions of {@code tables} that an installed table other than their own has already:
     * recorded for another table that still exists, or called by another table's triggers.
     */
    List<String> collisionsWithInstalled(List<TableObjectNames> tables) throws SQLException {
        Set<String> problems = new LinkedHashSet<>();
        String sql = """
                SELECT o.schema_name || '.' || o.table_name
                  FROM syncline.table_objects o
                 WHERE o.function_name = ? AND (o.schema_name, o.table_name) <> (?, ?)
                   AND pg_catalog.to_regclass(pg_catalog.quote_ident(o.schema_name) || '.' || pg_catalog.quote_ident(o.table_name)) IS NOT NULL
                UNION
                SELECT t.tgrelid::regclass::text
                  FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
                 WHERE p.pronamespace = 'syncline'::regnamespace AND p.proname = ?
                   AND t.tgrelid <> ?::regclass AND NOT t.tgrelid IN (SELECT relid FROM pg_catalog.pg_partition_tree(?::regclass))
                """;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (TableObjectNames table : tables) {
                String quoted = ReplicationSchemaInstaller.identifier(table.schema()) + "."
                        + ReplicationSchemaInstaller.identifier(table.table());
                for (Kind kind : Kind.values()) {
                    statement.setString(1, table.function(kind));
                    statement.setString(2, table.schema());
                    statement.setString(3, table.table());
                    statement.setString(4, table.function(kind));
                    statement.setString(5, quoted);
                    statement.setString(6, quoted);
                    try (ResultSet rs = statement.executeQuery()) {
                        while (rs.next()) {
                            problems.add(clash(rs.getString(1), table.qualifiedTable(), table.function(kind)));
                        }
                    }
                }
            }
        }
        return List.copyOf(problems);
    }

    private static String clash(String first, String second, String function) {
        return "tables " + first + " and " + second + " would share the trigger function " + ReplicationSchema.SCHEMA + "."
                + function + ", and one table's writes would be recorded for the other: rename one of them"
                + " (their names differ only where Syncline's function names cannot tell them apart)";
    }

    /**
     * The Syncline trigger functions the triggers of {@code quotedTables} (and their partitions) call
     * now, by oid: after an installation, those no trigger calls any more can go.
     */
    Set<Long> functionsInUse(List<String> quotedTables) throws SQLException {
        Set<Long> functions = new LinkedHashSet<>();
        String sql = "SELECT DISTINCT t.tgfoid::bigint FROM pg_catalog.pg_trigger t"
                + " JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid"
                + " WHERE p.pronamespace = 'syncline'::regnamespace AND t.tgname = ANY (" + TRIGGER_NAMES + ")"
                + " AND (t.tgrelid = ?::regclass OR t.tgrelid IN (SELECT relid FROM pg_catalog.pg_partition_tree(?::regclass)))";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (String table : quotedTables) {
                statement.setString(1, table);
                statement.setString(2, table);
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        functions.add(rs.getLong(1));
                    }
                }
            }
        }
        return functions;
    }

    /**
     * Forgets the recorded tables that no longer exist and returns their functions' oids (those that
     * still exist), to be dropped once nothing calls them.
     */
    Set<Long> forgetDroppedTables() throws SQLException {
        Set<Long> functions = new LinkedHashSet<>();
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("""
                WITH gone AS (
                    DELETE FROM syncline.table_objects o
                     WHERE pg_catalog.to_regclass(pg_catalog.quote_ident(o.schema_name) || '.' || pg_catalog.quote_ident(o.table_name)) IS NULL
                 RETURNING o.function_name)
                SELECT p.oid::bigint FROM gone JOIN pg_catalog.pg_proc p
                    ON p.proname = gone.function_name AND p.pronamespace = 'syncline'::regnamespace""")) {
            while (rs.next()) {
                functions.add(rs.getLong(1));
            }
        }
        return functions;
    }

    /** Records the names installed for {@code table}, replacing what was recorded for it. */
    void record(TableObjectNames table) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM syncline.table_objects WHERE schema_name = ? AND table_name = ?");
                PreparedStatement insert = connection.prepareStatement("INSERT INTO syncline.table_objects"
                        + " (schema_name, table_name, kind, function_name, trigger_name) VALUES (?, ?, ?, ?, ?)")) {
            delete.setString(1, table.schema());
            delete.setString(2, table.table());
            delete.executeUpdate();
            for (Kind kind : Kind.values()) {
                insert.setString(1, table.schema());
                insert.setString(2, table.table());
                insert.setString(3, kind.suffix());
                insert.setString(4, table.function(kind));
                insert.setString(5, kind.triggerName());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * Drops those of {@code functions} that no trigger calls; returns their signatures. Functions
     * another trigger still calls stay (a table left out of the configuration keeps its triggers).
     */
    List<String> dropUnused(Set<Long> functions) throws SQLException {
        if (functions.isEmpty()) {
            return List.of();
        }
        List<String> unused = new ArrayList<>();
        Array oids = connection.createArrayOf("bigint", functions.toArray());
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
                 WHERE p.oid::bigint = ANY (?) AND p.pronamespace = 'syncline'::regnamespace
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgfoid = p.oid)
                 ORDER BY 1""")) {
            statement.setArray(1, oids);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    unused.add(rs.getString(1));
                }
            }
        }
        try (Statement statement = connection.createStatement()) {
            for (String function : unused) {
                statement.execute("DROP FUNCTION " + function);
            }
        }
        return unused;
    }
}
