package io.syncline.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** A replicated table's name and primary-key columns, in key order, as the catalog has them. */
public record TableKey(String schema, String table, List<String> columns) {

    public TableKey {
        columns = List.copyOf(columns);
    }

    public String qualifiedName() {
        return schema + "." + table;
    }

    public String quotedName() {
        return ReplicationSchemaInstaller.identifier(schema) + "." + ReplicationSchemaInstaller.identifier(table);
    }

    /**
     * Reads the key of {@code qualifiedName} ({@code schema.table}, or {@code table} in {@code public}).
     *
     * @throws SchemaException if the table does not exist or has no primary key
     */
    public static TableKey read(Connection connection, String qualifiedName) throws SQLException {
        int dot = qualifiedName.indexOf('.');
        String schema = dot < 0 ? "public" : qualifiedName.substring(0, dot);
        String table = dot < 0 ? qualifiedName : qualifiedName.substring(dot + 1);
        String sql = """
                SELECT c.oid, a.attname
                  FROM pg_class c
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                  LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
                  LEFT JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
                  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                 WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')
                 ORDER BY k.ord
                """;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, schema);
            statement.setString(2, table);
            try (ResultSet rs = statement.executeQuery()) {
                List<String> columns = new ArrayList<>();
                boolean exists = false;
                while (rs.next()) {
                    exists = true;
                    if (rs.getString(2) != null) {
                        columns.add(rs.getString(2));
                    }
                }
                if (!exists) {
                    throw new SchemaException("table " + schema + "." + table + " does not exist in this database;"
                            + " create it on every node before replicating it, or remove it from `tables`");
                }
                if (columns.isEmpty()) {
                    throw new SchemaException("table " + schema + "." + table + " has no primary key; Syncline identifies"
                            + " rows across datacenters by their key: ALTER TABLE " + schema + "." + table
                            + " ADD PRIMARY KEY (...)");
                }
                return new TableKey(schema, table, columns);
            }
        }
    }
}
