package io.syncline.schema;

import io.syncline.core.config.TableCatalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/** The column names of tables as a live PostgreSQL database has them. Not thread-safe. */
public final class JdbcTableCatalog implements TableCatalog {

    private final Connection connection;

    public JdbcTableCatalog(Connection connection) {
        this.connection = connection;
    }

    @Override
    public Optional<Set<String>> columnsOf(String table) {
        int dot = table.indexOf('.');
        String schema = dot < 0 ? "public" : table.substring(0, dot);
        String name = dot < 0 ? table : table.substring(dot + 1);
        String sql = """
                SELECT a.attname FROM pg_attribute a
                  JOIN pg_class c ON c.oid = a.attrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
                 ORDER BY a.attnum""";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, schema);
            statement.setString(2, name);
            try (ResultSet rs = statement.executeQuery()) {
                Set<String> columns = new LinkedHashSet<>();
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
                return columns.isEmpty() ? Optional.empty() : Optional.of(columns);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the columns of " + table + ": " + e.getMessage(), e);
        }
    }
}
