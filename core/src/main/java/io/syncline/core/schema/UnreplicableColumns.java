package io.syncline.core.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Columns whose values the capture cannot carry exactly, so that a table holding one would differ
 * between datacenters. {@code syncline init} refuses such a table and the node does not start with
 * one; both name the columns.
 */
public final class UnreplicableColumns {

    // Debezium cannot map these arrays at all (PostgresValueConverter returns no schema and drops
    // the column), bit strings lose their length, timetz loses its zone.
    private static final Set<String> INEXACT_TYPES = Set.of(
            "_interval", "_money", "_name", "_varbit", "_bit", "_xml", "_point", "_timetz", "bit", "varbit", "timetz");

    private static final String COLUMNS = """
            SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), t.typname, a.attndims,
                   (t.typtype = 'c' OR e.typtype = 'c' OR b.typtype = 'c') AS composite
              FROM pg_catalog.pg_attribute a
              JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
              LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
              LEFT JOIN pg_catalog.pg_type b ON b.oid = t.typbasetype AND t.typtype = 'd'
             WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum""";

    private UnreplicableColumns() {}

    /**
     * The columns of {@code table} (a quoted qualified name) that cannot be
     * replicated exactly, each as {@code "column type (why)"}, in column order; empty if none.
     */
    public static List<String> of(Connection connection, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(COLUMNS)) {
            statement.setString(1, table);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    String column = rs.getString(1) + " " + rs.getString(2);
                    if (rs.getBoolean(5)) {
                        // Debezium's TableSchemaBuilder finds no converter and leaves the column out of every event.
                        columns.add(column + " (a composite type: the capture leaves it out of every change)");
                    } else if (rs.getInt(4) > 1) {
                        columns.add(column + " (multi-dimensional)");
                    } else if (INEXACT_TYPES.contains(rs.getString(3))) {
                        columns.add(column);
                    }
                }
            }
        }
        return columns;
    }

    /** The problem to report for {@code table} with the {@code columns} of {@link #of}. */
    public static String problem(String table, List<String> columns) {
        return "table " + table + " has columns whose values cannot be replicated exactly: " + columns
                + "; change their types (a composite value can be kept as jsonb or in columns of its own) or leave the table out";
    }
}
