package io.syncline.schema.ddl;

import io.syncline.core.config.TableName;
import io.syncline.core.schema.ReplicationSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@link TableDefinition}s from the catalog of the connection's database, as the
 * connection's transaction sees it: before and after a schema change in the same transaction.
 * Not thread-safe.
 */
public final class CatalogReader {

    /** Ordinary and partitioned tables outside the system schemas and Syncline's own. */
    private static final String TABLES = """
            SELECT n.nspname, c.relname, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
               AND n.nspname NOT IN ('pg_catalog', 'information_schema', '%s') AND n.nspname NOT LIKE 'pg\\_%%'
             ORDER BY 1, 2""".formatted(ReplicationSchema.SCHEMA);
    private static final String COLUMNS = """
            SELECT a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attgenerated <> ''
              FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""";
    private static final String INDEXES = """
            SELECT c.relname, pg_catalog.pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE i.indrelid = ?""";
    private static final String CONSTRAINTS = """
            SELECT conname, contype, pg_catalog.pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = ?""";

    private final Connection connection;

    public CatalogReader(Connection connection) {
        this.connection = connection;
    }

    /** Every user table of the database, by name. */
    public Map<TableName, TableDefinition> tables() throws SQLException {
        Map<TableName, TableDefinition> tables = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(TABLES); ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                TableName name = new TableName(rs.getString(1), rs.getString(2));
                tables.put(name, read(name, rs.getLong(3)));
            }
        }
        return tables;
    }

    /** One table, or {@code null} when it does not exist. */
    public TableDefinition table(TableName table) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_catalog.to_regclass(?)::oid")) {
            statement.setString(1, quoted(table));
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                long oid = rs.getLong(1);
                return rs.wasNull() ? null : read(table, oid);
            }
        }
    }

    private static String quoted(TableName table) {
        return "\"" + table.schema().replace("\"", "\"\"") + "\".\"" + table.table().replace("\"", "\"\"") + "\"";
    }

    private TableDefinition read(TableName table, long oid) throws SQLException {
        List<ColumnDefinition> columns = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(COLUMNS)) {
            statement.setLong(1, oid);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    columns.add(new ColumnDefinition(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                            rs.getString(5), rs.getBoolean(6)));
                }
            }
        }
        Map<String, String> indexes = new TreeMap<>();
        try (PreparedStatement statement = connection.prepareStatement(INDEXES)) {
            statement.setLong(1, oid);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    indexes.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        Map<String, TableDefinition.Constraint> constraints = new TreeMap<>();
        try (PreparedStatement statement = connection.prepareStatement(CONSTRAINTS)) {
            statement.setLong(1, oid);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    constraints.put(rs.getString(1), new TableDefinition.Constraint(rs.getString(2).charAt(0), rs.getString(3)));
                }
            }
        }
        return new TableDefinition(table, columns, indexes, constraints);
    }
}
