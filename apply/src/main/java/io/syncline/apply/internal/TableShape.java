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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TypeInfo;

/**
 * A replicated table as this node's catalog describes it, and the SQL the applier runs on it.
 * Every value is bound as text and cast to the column's declared type ({@code ?::numeric(20,5)},
 * {@code ?::text[]}, ...), so that each value round-trips exactly through its text form. Not
 * thread-safe (one applier thread).
 */
final class TableShape {

    /** A user column; the replication metadata columns are not among them. */
    record Column(String name, String type, boolean generated, boolean identityAlways) {}

    /**
     * A column's type as the origin's events spell it ({@link io.syncline.core.event.RowChange#columnType}),
     * and whether it has no type modifier here.
     */
    record SourceSpelling(String spec, boolean unconstrained) {}

    private static final String TOMBSTONE_WHERE = "table_name = ? AND pk = ";
    // A tombstone every peer has applied past can hold no delete that a change still to arrive is
    // concurrent with (TombstoneCollector): the applier treats it as absent.
    private static String notStable(String tombstone) {
        return "(" + tombstone + ".collect_checkpoint IS NULL OR " + tombstone + ".collect_checkpoint > "
                + ReplicationSchema.STABLE_CHECKPOINT_FUNCTION + "())";
    }

    private final TableKey key;
    private final Map<String, Column> columns;
    private final Map<String, String> columnTypes;
    private final Map<String, SourceSpelling> spellings;
    private final List<Column> keyColumns;
    private final boolean hasIdentityAlways;
    private final boolean rowOrderFree;
    private final Set<String> droppedColumns;
    private final String pkPredicate;
    private final String pkJson;
    private final Map<List<String>, String> insertSql = new HashMap<>();
    private final Map<List<String>, String> updateSql = new HashMap<>();
    private final Map<List<String>, String> updateRowsSql = new HashMap<>();
    private final Map<List<String>, String> insertRowsSql = new HashMap<>();
    // The version columns every row write sets, with their types, in parameter order.
    private static final String[][] VERSION_COLUMNS = {{ReplicationSchema.HLC_COLUMN, "bigint"},
            {ReplicationSchema.NODE_COLUMN, "text"}, {ReplicationSchema.VECTOR_COLUMN, "jsonb"},
            {ReplicationSchema.COUNTERS_COLUMN, "jsonb"}, {ReplicationSchema.DOTS_COLUMN, "jsonb"},
            {ReplicationSchema.FRONTIER_COLUMN, "jsonb"}};

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
        this.pkPredicate = keyColumns.stream()
                .map(c -> identifier(c.name()) + " = ?::" + c.type())
                .collect(Collectors.joining(" AND "));
        // The same text form as the triggers' jsonb_build_object('col', NEW.col::text), normalised by
        // this node's own output function.
        this.pkJson = keyColumns.stream()
                .map(c -> literal(c.name()) + ", (?::" + c.type() + ")::text")
                .collect(Collectors.joining(", ", "pg_catalog.jsonb_build_object(", ")"));
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

    String selectRowForUpdate() {
        String selected = columns.values().stream()
                .map(c -> identifier(c.name()) + "::text")
                .collect(Collectors.joining(", "));
        return "SELECT " + (selected.isEmpty() ? "" : selected + ", ")
                + ReplicationSchema.HLC_COLUMN + ", " + ReplicationSchema.NODE_COLUMN + ", "
                + ReplicationSchema.VECTOR_COLUMN + "::text, " + ReplicationSchema.COUNTERS_COLUMN + "::text, "
                + ReplicationSchema.DOTS_COLUMN + "::text, " + ReplicationSchema.FRONTIER_COLUMN + "::text FROM " + key.quotedName()
                + " WHERE " + pkPredicate + " FOR UPDATE";
    }

    /**
     * Key column types whose text form is canonical (the capture emits the output function's
     * text), so that two changes of one key always carry equal key text. Only such keys are read
     * and written as a set; any other key goes row by row.
     */
    private static final java.util.Set<String> SET_KEY_TYPES = java.util.Set.of("smallint", "integer", "bigint", "text",
            "uuid");

    /** Whether changes of this table may be applied in runs: every key column has a canonical text form. */
    boolean setApplicable() {
        return !keyColumns.isEmpty() && keyColumns.stream().allMatch(c -> SET_KEY_TYPES.contains(c.type()) || c.type().startsWith("character varying"));
    }

    private String keyUnnest() {
        StringBuilder arrays = new StringBuilder();
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < keyColumns.size(); i++) {
            arrays.append(i == 0 ? "" : ", ").append("pg_catalog.unnest(?::").append(keyColumns.get(i).type()).append("[])");
            names.append("k").append(i).append(", ");
        }
        // ROWS FROM of one-array unnests is what unnest(a, b) stands for; only the one-array form is a
        // function that can be schema-qualified.
        return "ROWS FROM (" + arrays + ") WITH ORDINALITY AS k(" + names + "ord)";
    }

    /**
     * The rows of many keys under row locks. Parameters: one array per key column (text form,
     * {@link #keyArray}), the keys in the same order. Columns: the key's 1-based position, then as
     * {@link #selectRowForUpdate}.
     */
    String selectRowsForUpdate() {
        String selected = columns.values().stream()
                .map(c -> "t." + identifier(c.name()) + "::text")
                .collect(Collectors.joining(", "));
        return "SELECT k.ord, " + (selected.isEmpty() ? "" : selected + ", ")
                + "t." + ReplicationSchema.HLC_COLUMN + ", t." + ReplicationSchema.NODE_COLUMN + ", t."
                + ReplicationSchema.VECTOR_COLUMN + "::text, t." + ReplicationSchema.COUNTERS_COLUMN + "::text, t."
                + ReplicationSchema.DOTS_COLUMN + "::text, t." + ReplicationSchema.FRONTIER_COLUMN + "::text FROM "
                + keyUnnest() + " JOIN " + key.quotedName() + " t ON " + rowsOfKeys() + " FOR UPDATE OF t";
    }

    /**
     * Locks the rows of many keys in key order and counts them. Parameters as
     * {@link #selectRowsForUpdate}. (A locking clause under ORDER BY locks in that order: the
     * PostgreSQL manual, SELECT, "The Locking Clause".)
     */
    String lockRowsInKeyOrder() {
        String order = keyColumns.stream().map(c -> "t." + identifier(c.name())).collect(Collectors.joining(", "));
        return "SELECT count(*) FROM (SELECT 1 FROM " + keyUnnest() + " JOIN " + key.quotedName() + " t ON " + rowsOfKeys()
                + " ORDER BY " + order + " FOR UPDATE OF t) locked";
    }

    /** Locks the tombstones of many keys in key order and counts them. Parameters as {@link #selectTombstonesForUpdate}. */
    String lockTombstonesInKeyOrder() {
        return "SELECT count(*) FROM (SELECT 1 FROM " + keyUnnest() + " JOIN " + ReplicationSchema.TOMBSTONE_TABLE
                + " s ON s.table_name = ? AND s.pk = " + tombstoneKeyOfKeys() + " ORDER BY s.pk FOR UPDATE OF s) locked";
    }

    /** The join of table {@code t} to the unnested keys {@code k}. */
    private String rowsOfKeys() {
        StringBuilder join = new StringBuilder();
        for (int i = 0; i < keyColumns.size(); i++) {
            join.append(i == 0 ? "" : " AND ").append("t.").append(identifier(keyColumns.get(i).name())).append(" = k.k").append(i);
        }
        return join.toString();
    }

    /** The tombstone key (jsonb of the key columns as text) of each unnested key {@code k}. */
    private String tombstoneKeyOfKeys() {
        return keyColumns.isEmpty() ? "'{}'::jsonb" : java.util.stream.IntStream.range(0, keyColumns.size())
                .mapToObj(i -> literal(keyColumns.get(i).name()) + ", k.k" + i + "::text")
                .collect(Collectors.joining(", ", "pg_catalog.jsonb_build_object(", ")"));
    }

    /**
     * The tombstones of many keys under row locks. Parameters: one array per key column, then the
     * table name. Columns: the key's 1-based position, hlc, node, vv, frontier.
     */
    String selectTombstonesForUpdate() {
        return "SELECT k.ord, s.hlc, s.node_id, s.vv::text, s.frontier::text FROM " + keyUnnest() + " JOIN "
                + ReplicationSchema.TOMBSTONE_TABLE + " s ON s.table_name = ? AND s.pk = " + tombstoneKeyOfKeys() + " AND "
                + notStable("s") + " FOR UPDATE OF s";
    }

    /** The array literal of one key column's values, for {@link #selectRowsForUpdate}. */
    static String keyArray(List<Map<String, String>> keys, String column) {
        StringBuilder array = new StringBuilder(keys.size() * 8).append('{');
        for (int i = 0; i < keys.size(); i++) {
            if (i > 0) {
                array.append(',');
            }
            // Array input syntax (PostgreSQL manual 8.15.2): double-quote, backslash-escape " and \.
            array.append('"');
            String value = keys.get(i).get(column);
            for (int c = 0; c < value.length(); c++) {
                char ch = value.charAt(c);
                if (ch == '"' || ch == '\\') {
                    array.append('\\');
                }
                array.append(ch);
            }
            array.append('"');
        }
        return array.append('}').toString();
    }

    /** Parameters: table name, key..., then nothing. */
    String selectTombstoneForUpdate() {
        return "SELECT hlc, node_id, vv::text, frontier::text FROM " + ReplicationSchema.TOMBSTONE_TABLE
                + " WHERE " + TOMBSTONE_WHERE + pkJson + " AND " + notStable(ReplicationSchema.TOMBSTONE_TABLE) + " FOR UPDATE";
    }

    /** Parameters: table name, key..., hlc, node, vv, frontier. */
    String upsertTombstone() {
        return "INSERT INTO " + ReplicationSchema.TOMBSTONE_TABLE + " (table_name, pk, hlc, node_id, vv, frontier)"
                + " VALUES (?, " + pkJson + ", ?, ?, ?::jsonb, ?::jsonb)"
                + " ON CONFLICT (table_name, pk) DO UPDATE SET hlc = EXCLUDED.hlc, node_id = EXCLUDED.node_id,"
                + " vv = EXCLUDED.vv, frontier = EXCLUDED.frontier, deleted_at = now(), collect_checkpoint = NULL";
    }

    /**
     * Parameters: table name, key..., hlc, node, vv, frontier. Inserts nothing if a tombstone appeared meanwhile;
     * replaces a stable one (which the applier treats as absent).
     */
    String insertTombstoneIfAbsent() {
        return "INSERT INTO " + ReplicationSchema.TOMBSTONE_TABLE + " (table_name, pk, hlc, node_id, vv, frontier)"
                + " VALUES (?, " + pkJson + ", ?, ?, ?::jsonb, ?::jsonb) ON CONFLICT (table_name, pk) DO UPDATE"
                + " SET hlc = EXCLUDED.hlc, node_id = EXCLUDED.node_id, vv = EXCLUDED.vv, frontier = EXCLUDED.frontier,"
                + " deleted_at = now(), collect_checkpoint = NULL WHERE NOT " + notStable(ReplicationSchema.TOMBSTONE_TABLE);
    }

    /** Parameters: hlc, node, vv, frontier, table name, key... */
    String updateTombstoneVersion() {
        return "UPDATE " + ReplicationSchema.TOMBSTONE_TABLE + " SET hlc = ?, node_id = ?, vv = ?::jsonb,"
                + " frontier = ?::jsonb, collect_checkpoint = NULL WHERE " + TOMBSTONE_WHERE + pkJson;
    }

    /** Parameters: key... */
    String deleteRow() {
        return "DELETE FROM " + key.quotedName() + " WHERE " + pkPredicate;
    }

    /** Parameters: hlc, node, vv, counters, dots, frontier, key... */
    String updateRowVersion() {
        return "UPDATE " + key.quotedName() + " SET " + ReplicationSchema.HLC_COLUMN + " = ?, "
                + ReplicationSchema.NODE_COLUMN + " = ?, " + ReplicationSchema.VECTOR_COLUMN + " = ?::jsonb, "
                + ReplicationSchema.COUNTERS_COLUMN + " = ?::jsonb, " + ReplicationSchema.DOTS_COLUMN + " = ?::jsonb, "
                + ReplicationSchema.FRONTIER_COLUMN + " = ?::jsonb WHERE " + pkPredicate;
    }

    /**
     * Parameters: the values of {@code names}, hlc, node, vv, counters, dots, frontier. Inserts nothing if a row with the key
     * appeared meanwhile; another unique constraint still fails.
     */
    String insertRow(List<String> names) {
        return insertSql.computeIfAbsent(List.copyOf(names), n -> {
            List<String> targets = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (String name : n) {
                targets.add(identifier(name));
                values.add("?::" + columns.get(name).type());
            }
            targets.add(ReplicationSchema.HLC_COLUMN);
            targets.add(ReplicationSchema.NODE_COLUMN);
            targets.add(ReplicationSchema.VECTOR_COLUMN);
            targets.add(ReplicationSchema.COUNTERS_COLUMN);
            targets.add(ReplicationSchema.DOTS_COLUMN);
            targets.add(ReplicationSchema.FRONTIER_COLUMN);
            values.add("?");
            values.add("?");
            values.add("?::jsonb");
            values.add("?::jsonb");
            values.add("?::jsonb");
            values.add("?::jsonb");
            String conflictTarget = key.columns().stream().map(TableShape::identifier).collect(Collectors.joining(", "));
            return "INSERT INTO " + key.quotedName() + " (" + String.join(", ", targets) + ")"
                    + (hasIdentityAlways ? " OVERRIDING SYSTEM VALUE" : "")
                    + " VALUES (" + String.join(", ", values) + ")"
                    + " ON CONFLICT (" + conflictTarget + ") DO NOTHING";
        });
    }

    /** Parameters: the values of {@code names}, hlc, node, vv, counters, dots, frontier, key... */
    String updateRow(List<String> names) {
        return updateSql.computeIfAbsent(List.copyOf(names), n -> {
            List<String> assignments = new ArrayList<>();
            for (String name : n) {
                assignments.add(identifier(name) + " = ?::" + columns.get(name).type());
            }
            assignments.add(ReplicationSchema.HLC_COLUMN + " = ?");
            assignments.add(ReplicationSchema.NODE_COLUMN + " = ?");
            assignments.add(ReplicationSchema.VECTOR_COLUMN + " = ?::jsonb");
            assignments.add(ReplicationSchema.COUNTERS_COLUMN + " = ?::jsonb");
            assignments.add(ReplicationSchema.DOTS_COLUMN + " = ?::jsonb");
            assignments.add(ReplicationSchema.FRONTIER_COLUMN + " = ?::jsonb");
            return "UPDATE " + key.quotedName() + " SET " + String.join(", ", assignments) + " WHERE " + pkPredicate;
        });
    }

    /**
     * The update of many locked rows in one statement. Parameters: one {@code text[]} per key column,
     * per column of {@code names}, then hlc, node, vv, counters, dots, frontier; element {@code i} of
     * every array belongs to row {@code i}.
     */
    String updateRows(List<String> names) {
        return updateRowsSql.computeIfAbsent(List.copyOf(names), n -> {
            List<String> aliases = new ArrayList<>();
            List<String> match = new ArrayList<>();
            for (int i = 0; i < keyColumns.size(); i++) {
                aliases.add("k" + i);
                match.add("t." + identifier(keyColumns.get(i).name()) + " = v.k" + i + "::" + keyColumns.get(i).type());
            }
            List<String> assignments = new ArrayList<>();
            for (ArrayColumn column : arrayColumns(n)) {
                aliases.add(column.alias());
                assignments.add(column.target() + " = " + column.value());
            }
            return "UPDATE " + key.quotedName() + " AS t SET " + String.join(", ", assignments) + " FROM "
                    + unnest(aliases) + " WHERE " + String.join(" AND ", match);
        });
    }

    /**
     * The insert of many rows in one statement; a key that exists is left alone (ON CONFLICT DO
     * NOTHING), so the update count tells whether a local writer inserted one first. Parameters:
     * one {@code text[]} per column of {@code names}, then hlc, node, vv, counters, dots, frontier.
     */
    String insertRows(List<String> names) {
        return insertRowsSql.computeIfAbsent(List.copyOf(names), n -> {
            List<ArrayColumn> written = arrayColumns(n);
            String conflictTarget = key.columns().stream().map(TableShape::identifier).collect(Collectors.joining(", "));
            return "INSERT INTO " + key.quotedName() + " ("
                    + written.stream().map(ArrayColumn::target).collect(Collectors.joining(", ")) + ")"
                    + (hasIdentityAlways ? " OVERRIDING SYSTEM VALUE" : "")
                    + " SELECT " + written.stream().map(ArrayColumn::value).collect(Collectors.joining(", "))
                    + " FROM " + unnest(written.stream().map(ArrayColumn::alias).toList())
                    + " ON CONFLICT (" + conflictTarget + ") DO NOTHING";
        });
    }

    /** A column a multi-row statement writes, with its value taken from the text array named {@code alias}. */
    private record ArrayColumn(String target, String alias, String value) {}

    /** The columns of {@code names} (aliases c0, c1, ...), then the version columns, as multi-row statements write them. */
    private List<ArrayColumn> arrayColumns(List<String> names) {
        List<ArrayColumn> written = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            written.add(new ArrayColumn(identifier(names.get(i)), "c" + i, "v.c" + i + "::" + columns.get(names.get(i)).type()));
        }
        for (String[] column : VERSION_COLUMNS) {
            written.add(new ArrayColumn(column[0], column[0], "v." + column[0] + "::" + column[1]));
        }
        return written;
    }

    /** {@code ROWS FROM (unnest(?::text[]), ...) AS v(alias, ...)}: one text array parameter per alias. */
    private static String unnest(List<String> aliases) {
        return "ROWS FROM (" + String.join(", ", java.util.Collections.nCopies(aliases.size(), "pg_catalog.unnest(?::text[])"))
                + ") AS v(" + String.join(", ", aliases) + ")";
    }

    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
