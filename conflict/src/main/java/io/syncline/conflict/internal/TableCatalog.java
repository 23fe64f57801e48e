package io.syncline.conflict.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Caches each target table's {@link TableShape}, read from the catalog on first use. The applier
 * clears it after any failed target transaction, so that a table altered meanwhile is read
 * again. Thread-safe: the writers of a link share it.
 */
public final class TableCatalog {

    private final Map<String, TableShape> shapes = new java.util.concurrent.ConcurrentHashMap<>();

    TableShape shape(Connection connection, String table) throws SQLException {
        TableShape shape = shapes.get(table);
        if (shape == null) {
            shape = TableShape.load(connection, table);
            shapes.put(table, shape);
        }
        return shape;
    }

    public void invalidate(String table) {
        shapes.remove(table);
    }

    public void clear() {
        shapes.clear();
    }
}
