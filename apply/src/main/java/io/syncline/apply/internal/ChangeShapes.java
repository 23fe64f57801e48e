package io.syncline.apply.internal;

import io.syncline.core.event.RowChange;
import io.syncline.core.schema.ReplicationSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The table a change writes, from the {@link TableCatalog}, checked against the change. Not thread-safe. */
final class ChangeShapes {

    private final Connection connection;
    private final TableCatalog catalog;

    ChangeShapes(Connection connection, TableCatalog catalog) {
        this.connection = connection;
        this.catalog = catalog;
    }

    /**
     * The table {@code change} writes, read again when the change names a column it does not have
     * or has with another type (a schema change here since the shape was cached).
     *
     * @throws LocalSchemaMismatch when the table read again still does not match the change
     */
    TableShape shapeFor(RowChange change) throws SQLException {
        TableShape table = catalog.shape(connection, change.table());
        if (unknownColumns(table, change).isEmpty() && ColumnTypes.firstMismatch(table, change) == null) {
            return table;
        }
        catalog.invalidate(change.table());
        table = catalog.shape(connection, change.table());
        Set<String> unknown = unknownColumns(table, change);
        if (!unknown.isEmpty()) {
            String first = new TreeSet<>(unknown).first();
            throw new LocalSchemaMismatch(table.name(), first, change.columnTypes().get(first), null,
                    "column(s) " + unknown + " of " + table.name() + " do not exist on this node;"
                    + " apply the same schema change on every node before writing the new columns");
        }
        LocalSchemaMismatch mismatch = ColumnTypes.firstMismatch(table, change);
        if (mismatch != null) {
            throw mismatch;
        }
        return table;
    }

    private static Set<String> unknownColumns(TableShape table, RowChange change) {
        Set<String> unknown = new HashSet<>();
        for (String name : change.values().keySet()) {
            if (!table.hasColumn(name) && !table.wasDropped(name) && !ReplicationSchema.METADATA_COLUMNS.contains(name)) {
                unknown.add(name);
            }
        }
        return unknown;
    }

    /** Fails when the key columns of a change are not this node's primary key of the table. */
    static void requireKey(TableShape table, Map<String, String> key) throws SQLException {
        if (!key.keySet().equals(new HashSet<>(table.keyColumnNames()))) {
            throw new SQLException("the change's key columns " + key.keySet() + " are not the primary key "
                    + table.keyColumnNames() + " of " + table.name() + " on this node; give the table the same"
                    + " primary key on every node", "42P10");
        }
    }
}
