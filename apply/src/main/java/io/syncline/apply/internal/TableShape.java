package io.syncline.apply.internal;

import io.syncline.core.config.TableName;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.schema.SchemaException;
import io.syncline.schema.TableKey;
import io.syncline.schema.ddl.DroppedColumns;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TypeInfo;

/**
 * A replicated table as this node's catalog describes it: its key, its user columns with their
 * types, and what decides how the applier may write it. The SQL it runs on the table is
 * {@link #sql()}. Thread-safe: the writers of a link share one shape per table ({@link TableCatalog}).
 */
final class TableShape {

    /** A user column; the replication metadata columns are not among them. */
    record Column(String name, String type, boolean generated, boolean identityAlways) {}

    /**
     * A column's type as the origin's events spell it ({@link io.syncline.core.event.RowChange#columnType}),
     * and whether it has no type modifier here.
     */
    record SourceSpelling(String spec, boolean unconstrained) {}

    private final TableKey key;
    private final Map<String, Column> columns;
    private final Map<String, String> columnTypes;
    private final Map<String, SourceSpelling> spellings;
    private final List<Column> keyColumns;
    private final boolean hasIdentityAlways;
    private final boolean rowOrderFree;
    private final Set<String> droppedColumns;
    private RowSql sql;

    private TableShape(TableKey key, Map<String, Column> columns, Map<String, SourceSpelling> spellings, boolean rowOrderFree,
            Set<String> droppedColumns) {
        this.key = key;
        this.droppedColumns = Set.copyOf(droppedColumns);
        this.columns = columns;
        this.spellings = Map.copyOf(spellings);
        this.rowOrderFree = rowOrderFree;
        Map<String, String> types = new LinkedHashMap<>();
        columns.values().forEach(c -> types.put(c.name(), c.type()));
        this.columnTypes = java.util.Collections.unmodifiableMap(types);
        this.keyColumns = key.columns().stream().map(columns::get).toList();
        this.hasIdentityAlways = columns.values().stream().anyMatch(Column::identityAlways);
    }

    /** A table described without a catalog, for tests of the SQL: every spelling unconstrained, no dropped columns. */
    static TableShape of(TableKey key, List<Column> columns, boolean rowOrderFree) {
        Map<String, Column> byName = new LinkedHashMap<>();
        Map<String, SourceSpelling> spellings = new HashMap<>();
        for (Column column : columns) {
            byName.put(column.name(), column);
            spellings.put(column.name(), new SourceSpelling(column.type(), true));
        }
        return new TableShape(key, byName, spellings, rowOrderFree, Set.of());
    }

    static TableShape load(Connection connection, String table) throws SQLException {
        TableKey key;
        try {
            key = TableKey.read(connection, table);
        } catch (SchemaException e) {
            throw new SQLException(e.getMessage(), "42P01", e);
        }
        String sql = """
                SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attgenerated <> '', a.attidentity = 'a',
                       t.typname, a.atttypid, a.atttypmod
                  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                 WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped
                 ORDER BY a.attnum
                """;
        Map<String, Column> columns = new LinkedHashMap<>();
        Map<String, SourceSpelling> spellings = new HashMap<>();
        TypeInfo types = connection.unwrap(BaseConnection.class).getTypeInfo();
        int metadata = 0;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, key.quotedName());
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    if (ReplicationSchema.METADATA_COLUMNS.contains(name)) {
                        metadata++;
                    } else {
                        columns.put(name, new Column(name, rs.getString(2), rs.getBoolean(3), rs.getBoolean(4)));
                        spellings.put(name, spelling(types, rs.getString(5), (int) rs.getLong(6), rs.getInt(7)));
                    }
                }
            }
        }
        if (metadata != ReplicationSchema.METADATA_COLUMNS.size()) {
            throw new SQLException("table " + key.qualifiedName() + " has no row-version columns on this node:"
                    + " run `syncline init` here for this table", "42703");
        }
        Set<String> dropped = new HashSet<>(DroppedColumns.of(connection, new TableName(key.schema(), key.table())));
        dropped.removeAll(columns.keySet());
        return new TableShape(key, columns, spellings, onlyThePrimaryKeyIsUnique(connection, key), dropped);
    }

    /**
     * The type as Debezium describes a column of the origin's relation (pgoutput's
     * {@code ColumnMetaData}, Debezium 3.6): pgjdbc's precision and scale of the type modifier, or,
     * without a modifier, the type's default precision (its display size when that is 0).
     */
    private static SourceSpelling spelling(TypeInfo types, String typeName, int oid, int typmod) {
        int length;
        if (typmod != -1) {
            length = types.getPrecision(oid, typmod);
        } else {
            int precision = types.getPrecision(oid, -1);
            length = precision != 0 ? precision : types.getDisplaySize(oid, -1);
        }
        return new SourceSpelling(io.syncline.core.event.RowChange.columnType(typeName, length, types.getScale(oid, typmod)),
                typmod == -1);
    }

    /** Whether the primary key is the table's only unique index and it has no exclusion constraint. */
    private static boolean onlyThePrimaryKeyIsUnique(Connection connection, TableKey key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = ?::regclass AND i.indisunique AND NOT i.indisprimary)
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = ?::regclass AND c.contype = 'x')
                """)) {
            statement.setString(1, key.quotedName());
            statement.setString(2, key.quotedName());
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Whether rows of distinct keys may be written by one statement in any order: no unique or
     * exclusion constraint besides the primary key, whose check could depend on the change order.
     */
    boolean rowOrderFree() {
        return rowOrderFree;
    }

    String name() {
        return key.qualifiedName();
    }

    List<String> keyColumnNames() {
        return key.columns();
    }

    boolean hasColumn(String name) {
        return columns.containsKey(name);
    }

    /**
     * Whether {@code name} is a column this table no longer has because {@code syncline ddl} dropped it:
     * a peer's row written before the drop reached it may still carry it, and is written without it.
     */
    boolean wasDropped(String name) {
        return droppedColumns.contains(name);
    }

    Column column(String name) {
        return columns.get(name);
    }

    Collection<Column> columns() {
        return columns.values();
    }

    /** How the origin's events spell {@code column}'s type if it is the same there, or {@code null} for an unknown column. */
    SourceSpelling sourceSpelling(String column) {
        return spellings.get(column);
    }

    /** Column -> type, in table order, for the resolvers. */
    Map<String, String> columnTypes() {
        return columnTypes;
    }

    /**
     * Key column types whose text form is canonical (the capture emits the output function's
     * text), so that two changes of one key always carry equal key text. Only such keys are read
     * and written as a set; any other key goes row by row.
     */
    private static final Set<String> SET_KEY_TYPES = Set.of("smallint", "integer", "bigint", "text", "uuid");

    /** Whether changes of this table may be applied in runs: every key column has a canonical text form. */
    boolean setApplicable() {
        return !keyColumns.isEmpty() && keyColumns.stream()
                .allMatch(c -> SET_KEY_TYPES.contains(c.type()) || c.type().startsWith("character varying"));
    }

    String quotedName() {
        return key.quotedName();
    }

    /** Whether a column is GENERATED ALWAYS AS IDENTITY, so that an insert of its value must override the system value. */
    boolean hasIdentityAlways() {
        return hasIdentityAlways;
    }

    /** The SQL the applier runs on this table, built once per shape. */
    synchronized RowSql sql() {
        if (sql == null) {
            sql = new RowSql(this);
        }
        return sql;
    }
}
