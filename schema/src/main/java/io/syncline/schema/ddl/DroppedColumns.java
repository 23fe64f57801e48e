package io.syncline.schema.ddl;

import io.syncline.core.config.TableName;
import io.syncline.core.schema.ReplicationSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import java.util.TreeSet;

/**
 * The columns of a table that a schema change through {@code syncline ddl} dropped, as this
 * database's history of changes ({@link ReplicationSchema#SCHEMA_CHANGE_TABLE}, the changes made
 * here and those applied here) records them. Rows that other DCs wrote before the drop reached
 * them still carry such a column; the applier writes them without it. A dropped name is never
 * added again ({@link DdlRules}), so a value of it always belongs to the dropped column. Stateless.
 */
public final class DroppedColumns {

    private static final String SQL = "SELECT DISTINCT fact ->> 'name' FROM " + ReplicationSchema.SCHEMA_CHANGE_TABLE
            + " change, pg_catalog.jsonb_array_elements(change.expectations) fact"
            + " WHERE fact ->> 'kind' = 'NO_COLUMN' AND fact ->> 'schema' = ? AND fact ->> 'table' = ?";

    private DroppedColumns() {}

    public static Set<String> of(Connection connection, TableName table) throws SQLException {
        Set<String> dropped = new TreeSet<>();
        try (PreparedStatement select = connection.prepareStatement(SQL)) {
            select.setString(1, table.schema());
            select.setString(2, table.table());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    dropped.add(rs.getString(1));
                }
            }
        }
        return dropped;
    }
}
