package io.syncline.schema;

import static io.syncline.schema.ReplicationSchemaInstaller.identifier;
import static io.syncline.schema.ReplicationSchemaInstaller.literal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL that gives one chunk of a table's rows without a version (those that existed before
 * {@code syncline init} installed the triggers: {@code syncline_hlc = 0}, {@code syncline_node = ''})
 * the version a local insert by this node would have had: one clock value of this node, the node,
 * the vector {@code {node: 1}}, and the merge metadata the table's policy keeps (each counter's
 * value as this node's contribution, a dot per column). Rows that have a version are left alone.
 */
final class StampStatements {

    private final TableKey key;
    private final List<String> keyTypes;
    private final String nodeId;
    private final List<String> deltaColumns;
    private final boolean columnDots;

    /**
     * @param keyTypes     the SQL type of each key column, in key order ({@link #keyTypes})
     * @param deltaColumns counter columns whose value becomes this node's contribution
     * @param columnDots   whether the table keeps column dots (column-merge)
     */
    StampStatements(TableKey key, List<String> keyTypes, String nodeId, List<String> deltaColumns, boolean columnDots) {
        if (keyTypes.size() != key.columns().size()) {
            throw new IllegalArgumentException(key.qualifiedName() + ": " + keyTypes.size() + " types for "
                    + key.columns().size() + " key columns");
        }
        this.key = key;
        this.keyTypes = List.copyOf(keyTypes);
        this.nodeId = nodeId;
        this.deltaColumns = List.copyOf(deltaColumns);
        this.columnDots = columnDots;
    }

    /** The type of each key column as {@code format_type} writes it, in key order. */
    static List<String> keyTypes(Connection connection, TableKey key) throws SQLException {
        List<String> types = new ArrayList<>();
        for (String column : key.columns()) {
            try (PreparedStatement statement = connection.prepareStatement("SELECT pg_catalog.format_type(a.atttypid, a.atttypmod)"
                    + " FROM pg_catalog.pg_attribute a WHERE a.attrelid = ?::regclass AND a.attname = ?")) {
                statement.setString(1, key.quotedName());
                statement.setString(2, column);
                try (ResultSet rs = statement.executeQuery()) {
                    if (!rs.next()) {
                        throw new SchemaException("table " + key.qualifiedName() + ": key column " + column + " not found");
                    }
                    types.add(rs.getString(1));
                }
            }
        }
        return types;
    }

    /** Whether the table still holds a row without a version. */
    String anyUnstamped() {
        return "SELECT EXISTS (SELECT 1 FROM " + key.quotedName() + " WHERE " + unstamped("") + ")";
    }

    /** How many rows have no version (for the progress display). */
    String countUnstamped() {
        return "SELECT count(*) FROM " + key.quotedName() + " WHERE " + unstamped("");
    }

    /**
     * Stamps the next chunk in key order. Parameters: with {@code after}, the last key of the
     * previous chunk as a jsonb text, once per key column; then the chunk size. One result row
     * (none when no key is left): rows stamped, then the chunk's last key as jsonb text.
     */
    String stampChunk(boolean after) {
        String keys = key.columns().stream().map(c -> "x." + identifier(c)).collect(Collectors.joining(", "));
        String bound = "";
        if (after) {
            List<String> values = new ArrayList<>();
            for (int i = 0; i < key.columns().size(); i++) {
                values.add("(?::jsonb ->> " + literal(key.columns().get(i)) + ")::" + keyTypes.get(i));
            }
            bound = " WHERE (" + keys + ") > (" + String.join(", ", values) + ")";
        }
        String descending = key.columns().stream().map(c -> "b." + identifier(c) + " DESC").collect(Collectors.joining(", "));
        String lastKey = key.columns().stream()
                .map(c -> literal(c) + ", b." + identifier(c) + "::text")
                .collect(Collectors.joining(", ", "pg_catalog.jsonb_build_object(", ")"));
        String join = key.columns().stream()
                .map(c -> "t." + identifier(c) + " = b." + identifier(c))
                .collect(Collectors.joining(" AND "));
        return "WITH clock AS (SELECT syncline.now_hlc() AS hlc),\n"
                + " batch AS (SELECT " + keys + " FROM " + key.quotedName() + " x" + bound + " ORDER BY " + keys
                + " LIMIT ?),\n"
                + " stamped AS (UPDATE " + key.quotedName() + " t SET " + assignments()
                + " FROM batch b, clock c WHERE " + join + " AND " + unstamped("t.") + " RETURNING 1)\n"
                + "SELECT (SELECT pg_catalog.count(*) FROM stamped), " + lastKey + "::text"
                + " FROM batch b ORDER BY " + descending + " LIMIT 1";
    }

    private String assignments() {
        String node = literal(nodeId);
        List<String> set = new ArrayList<>(List.of("syncline_hlc = c.hlc", "syncline_node = " + node,
                "syncline_vv = pg_catalog.jsonb_build_object(" + node + ", 1)", "syncline_frontier = NULL"));
        if (!deltaColumns.isEmpty()) {
            // The trigger's form: column -> {node: contribution as numeric text}; the value so far is all this node's.
            set.add("syncline_delta = " + deltaColumns.stream()
                    .map(c -> "pg_catalog.jsonb_build_object(" + literal(c) + ", pg_catalog.jsonb_build_object(" + node
                            + ", (0 + coalesce(t." + identifier(c) + "::numeric, 0))::text))")
                    .collect(Collectors.joining(" || ")));
        }
        if (columnDots) {
            set.add("syncline_dots = (SELECT coalesce(pg_catalog.jsonb_object_agg(k, pg_catalog.jsonb_build_array(" + node
                    + ", 1, c.hlc)), '{}') FROM pg_catalog.jsonb_object_keys(pg_catalog.to_jsonb(t)) k"
                    + " WHERE k NOT LIKE 'syncline\\_%')");
        }
        return String.join(", ", set);
    }

    private static String unstamped(String alias) {
        return alias + "syncline_hlc = 0 AND " + alias + "syncline_node = ''";
    }
}
