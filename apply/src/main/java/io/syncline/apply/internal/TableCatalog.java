package io.syncline.apply.internal;

import io.syncline.core.config.TableName;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.schema.ReplicatedTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * Caches each target table's {@link TableShape}, read from the catalog on first use. The applier
 * clears it after any failed target transaction, so that a table altered meanwhile is read
 * again. Thread-safe: the writers of a link share it.
 */
public final class TableCatalog {

    private final Map<String, TableShape> shapes = new java.util.concurrent.ConcurrentHashMap<>();
    private final ReplicatedTables replicated;

    /** Any table may be written. */
    public TableCatalog() {
        this(null);
    }

    /**
     * @param replicated the tables this node replicates; a change of another table waits in a schema
     *                   mismatch (its table joins replication at a peer first), or null to allow any table
     */
    public TableCatalog(ReplicatedTables replicated) {
        this.replicated = replicated;
    }

    TableShape shape(Connection connection, String table) throws SQLException {
        TableShape shape = shapes.get(table);
        if (shape == null) {
            requireReplicated(connection, table);
            shape = TableShape.load(connection, table);
            shapes.put(table, shape);
        }
        return shape;
    }

    /**
     * A peer that applied a schema change adding a table may write it before the change reaches this
     * node (all-to-all: dc-b has dc-a's change, dc-c not yet); the row waits here until it has.
     */
    private void requireReplicated(Connection connection, String table) throws SQLException {
        int dot = table.indexOf('.');
        if (replicated == null || dot < 0 || table.startsWith(ReplicationSchema.SCHEMA + ".")) {
            return;
        }
        TableName name = new TableName(table.substring(0, dot), table.substring(dot + 1));
        if (replicated.contains(name)) {
            return;
        }
        replicated.refresh(connection);
        if (replicated.contains(name)) {
            return;
        }
        throw new LocalSchemaMismatch(table, null, null, null, "table " + table + " is not replicated on this node: a"
                + " peer's schema change added it to replication (syncline ddl of a CREATE TABLE) and has not reached this"
                + " node yet, so the link waits for it. If no such change is on its way (no DC lists the table in"
                + " " + ReplicationSchema.REPLICATED_TABLE_TABLE + "), the record names a table no DC added: create the table here without"
                + " replicating it and restart the node, which then quarantines the record as UNKNOWN_TABLE");
    }

    public void invalidate(String table) {
        shapes.remove(table);
    }

    public void clear() {
        shapes.clear();
    }
}
