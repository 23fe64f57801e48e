package io.syncline.node.consistency;

import io.syncline.core.schema.ReplicationSchema;
import io.syncline.schema.TableKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One replicated table as {@code syncline diff} compares it: its key columns (in key order) and
 * the columns compared, user columns and replication metadata alike, each with its SQL type.
 * The frontier column is left out: it is local to each node. Immutable; builds the SQL text.
 *
 * @param name    schema-qualified name as configured
 * @param quoted  the quoted name for SQL
 * @param key     key column -> SQL type, in key order
 * @param columns compared column -> SQL type, in name order (the key columns included)
 */
record ComparedTable(String name, String quoted, Map<String, String> key, Map<String, String> columns) {

    /** Reads the table's layout from one database. */
    static ComparedTable read(Connection connection, String name) throws SQLException {
        TableKey tableKey = TableKey.read(connection, name);
        Map<String, String> columns = new java.util.TreeMap<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
                        + " WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped")) {
            statement.setString(1, tableKey.quotedName());
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    if (!rs.getString(1).equals(ReplicationSchema.FRONTIER_COLUMN)) {
                        columns.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
        }
        Map<String, String> key = new LinkedHashMap<>();
        tableKey.columns().forEach(c -> key.put(c, columns.get(c)));
        return new ComparedTable(name, tableKey.quotedName(), key, columns);
    }

    /** {@code ROW("k1", "k2")}. */
    String keyRow() {
        return "ROW(" + key.keySet().stream().map(ComparedTable::identifier).collect(Collectors.joining(", ")) + ")";
    }

    /** {@code ROW(CAST(? AS t1), CAST(? AS t2))}: a key bound as text. */
    String keyParameters() {
        return "ROW(" + key.values().stream().map(type -> "CAST(? AS " + type + ")").collect(Collectors.joining(", ")) + ")";
    }

    String orderByKey() {
        return key.keySet().stream().map(ComparedTable::identifier).collect(Collectors.joining(", "));
    }

    /** The key columns, then every compared column, as text. */
    String selectText() {
        List<String> parts = new ArrayList<>();
        key.keySet().forEach(c -> parts.add(identifier(c) + "::text"));
        columns.keySet().forEach(c -> parts.add(identifier(c) + "::text"));
        return String.join(", ", parts);
    }

    /** {@code ROW(c1, c2, ...)::text} over the compared columns: one row's text for hashing. */
    String rowText() {
        return "ROW(" + columns.keySet().stream().map(ComparedTable::identifier).collect(Collectors.joining(", ")) + ")::text";
    }

    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
