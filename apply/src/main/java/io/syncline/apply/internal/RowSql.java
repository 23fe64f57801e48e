package io.syncline.apply.internal;

import io.syncline.conflict.LocalState;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowMetadata;
import io.syncline.core.event.RowVersion;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.core.spi.RowState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The SQL the applier runs on one table, each statement beside the binding of its parameters and
 * the reading of its columns, so that their order is stated once. Every value is bound as text and
 * cast to the column's declared type ({@code ?::numeric(20,5)}), so that each value round-trips
 * exactly through its text form. Each method takes the statement for its SQL from a
 * {@link PreparedStatements}, binds it and returns it to execute or add to a batch. Thread-safe: the
 * writers of a link share one per {@link TableShape}; the statements they bind are each writer's own.
 *
 * <p>Longer than our other classes on purpose: it is the one place where the applier's SQL text
 * meets its parameter order, so that neither can change without the other in view; each part (reads,
 * row writes, tombstone writes, multi-row writes) is short. {@code RowSqlTest} pins the text.
 */
final class RowSql {

    /** The six replication metadata columns every row write sets, in this order. */
    enum VersionColumn {
        HLC(ReplicationSchema.HLC_COLUMN, "bigint", "?", ReplicationSchema.HLC_COLUMN),
        NODE(ReplicationSchema.NODE_COLUMN, "text", "?", ReplicationSchema.NODE_COLUMN),
        VECTOR(ReplicationSchema.VECTOR_COLUMN, "jsonb", "?::jsonb", ReplicationSchema.VECTOR_COLUMN + "::text"),
        COUNTERS(ReplicationSchema.COUNTERS_COLUMN, "jsonb", "?::jsonb", ReplicationSchema.COUNTERS_COLUMN + "::text"),
        DOTS(ReplicationSchema.DOTS_COLUMN, "jsonb", "?::jsonb", ReplicationSchema.DOTS_COLUMN + "::text"),
        FRONTIER(ReplicationSchema.FRONTIER_COLUMN, "jsonb", "?::jsonb", ReplicationSchema.FRONTIER_COLUMN + "::text");

        final String column;
        final String type;
        final String parameter;
        final String selected;

        VersionColumn(String column, String type, String parameter, String selected) {
            this.column = column;
            this.type = type;
            this.parameter = parameter;
            this.selected = selected;
        }

        /** Binds the column's value to parameter {@code index}: the clock as a number, the rest as text. */
        void bind(PreparedStatement statement, int index, RowVersion version, RowMetadata metadata, List<RowState> frontier)
                throws SQLException {
            if (this == HLC) {
                statement.setLong(index, version.clock().hlc());
            } else {
                statement.setString(index, text(version, metadata, frontier));
            }
        }

        /** The column's value as text, for the arrays of a multi-row statement. */
        String text(RowVersion version, RowMetadata metadata, List<RowState> frontier) {
            return switch (this) {
                case HLC -> Long.toString(version.clock().hlc());
                case NODE -> version.clock().nodeId();
                case VECTOR -> Json.vector(version.vector());
                case COUNTERS -> Json.counters(metadata);
                case DOTS -> Json.dots(metadata);
                case FRONTIER -> Json.frontier(frontier);
            };
        }
    }

    private static final List<VersionColumn> VERSION_COLUMNS = List.of(VersionColumn.values());
    private static final String TOMBSTONE = ReplicationSchema.TOMBSTONE_TABLE;
    private static final String TOMBSTONE_WHERE = "table_name = ? AND pk = ";
    private static final String TOMBSTONE_VERSION_ASSIGNED = "hlc = EXCLUDED.hlc, node_id = EXCLUDED.node_id,"
            + " vv = EXCLUDED.vv, frontier = EXCLUDED.frontier, deleted_at = now(), collect_checkpoint = NULL";

    // A tombstone every peer has applied past can hold no delete that a change still to arrive is
    // concurrent with (TombstoneCollector): the applier treats it as absent.
    private static String notStable(String tombstone) {
        return "(" + tombstone + ".collect_checkpoint IS NULL OR " + tombstone + ".collect_checkpoint > "
                + ReplicationSchema.STABLE_CHECKPOINT_FUNCTION + "())";
    }

    private final TableShape table;
    private final String quotedName;
    private final List<TableShape.Column> keyColumns;
    private final String pkPredicate;
    private final String pkJson;
    private final String selectRow;
    private final String selectRows;
    private final String lockRows;
    private final String lockTombstones;
    private final String selectTombstone;
    private final String selectTombstones;
    private final String upsertTombstone;
    private final String insertTombstoneIfAbsent;
    private final String updateTombstoneVersion;
    private final String deleteRow;
    private final String updateRowVersion;
    // Built on first use by whichever writer needs it first: the writers of a link share one shape per table
    // (a HashMap's computeIfAbsent throws ConcurrentModificationException when another thread adds to it meanwhile).
    private final Map<List<String>, String> insertSql = new ConcurrentHashMap<>();
    private final Map<List<String>, String> updateSql = new ConcurrentHashMap<>();
    private final Map<List<String>, String> updateRowsSql = new ConcurrentHashMap<>();
    private final Map<List<String>, String> insertRowsSql = new ConcurrentHashMap<>();

    RowSql(TableShape table) {
        this.table = table;
        this.quotedName = table.quotedName();
        this.keyColumns = table.keyColumnNames().stream().map(table::column).toList();
        this.pkPredicate = keyColumns.stream().map(c -> identifier(c.name()) + " = ?::" + c.type())
                .collect(Collectors.joining(" AND "));
        // The same text form as the triggers' jsonb_build_object('col', NEW.col::text), normalised by
        // this node's own output function.
        this.pkJson = keyColumns.stream().map(c -> literal(c.name()) + ", (?::" + c.type() + ")::text")
                .collect(Collectors.joining(", ", "pg_catalog.jsonb_build_object(", ")"));
        String versionSelected = VERSION_COLUMNS.stream().map(c -> c.selected).collect(Collectors.joining(", "));
        String userSelected = table.columns().stream().map(c -> identifier(c.name()) + "::text").collect(Collectors.joining(", "));
        this.selectRow = "SELECT " + (userSelected.isEmpty() ? "" : userSelected + ", ") + versionSelected + " FROM "
                + quotedName + " WHERE " + pkPredicate + " FOR UPDATE";
        String userOfT = table.columns().stream().map(c -> "t." + identifier(c.name()) + "::text")
                .collect(Collectors.joining(", "));
        String versionOfT = VERSION_COLUMNS.stream().map(c -> "t." + c.selected).collect(Collectors.joining(", "));
        this.selectRows = "SELECT k.ord, " + (userOfT.isEmpty() ? "" : userOfT + ", ") + versionOfT + " FROM " + keyUnnest()
                + " JOIN " + quotedName + " t ON " + rowsOfKeys() + " FOR UPDATE OF t";
        // A locking clause under ORDER BY locks in that order: the PostgreSQL manual, SELECT, "The Locking Clause".
        String order = keyColumns.stream().map(c -> "t." + identifier(c.name())).collect(Collectors.joining(", "));
        this.lockRows = "SELECT count(*) FROM (SELECT 1 FROM " + keyUnnest() + " JOIN " + quotedName + " t ON " + rowsOfKeys()
                + " ORDER BY " + order + " FOR UPDATE OF t) locked";
        this.lockTombstones = "SELECT count(*) FROM (SELECT 1 FROM " + keyUnnest() + " JOIN " + TOMBSTONE
                + " s ON s.table_name = ? AND s.pk = " + tombstoneKeyOfKeys() + " ORDER BY s.pk FOR UPDATE OF s) locked";
        this.selectTombstones = "SELECT k.ord, s.hlc, s.node_id, s.vv::text, s.frontier::text FROM " + keyUnnest() + " JOIN "
                + TOMBSTONE + " s ON s.table_name = ? AND s.pk = " + tombstoneKeyOfKeys() + " AND " + notStable("s")
                + " FOR UPDATE OF s";
        this.selectTombstone = "SELECT hlc, node_id, vv::text, frontier::text FROM " + TOMBSTONE + " WHERE " + TOMBSTONE_WHERE
                + pkJson + " AND " + notStable(TOMBSTONE) + " FOR UPDATE";
        String insertTombstone = "INSERT INTO " + TOMBSTONE + " (table_name, pk, hlc, node_id, vv, frontier)" + " VALUES (?, "
                + pkJson + ", ?, ?, ?::jsonb, ?::jsonb) ON CONFLICT (table_name, pk) DO UPDATE SET " + TOMBSTONE_VERSION_ASSIGNED;
        this.upsertTombstone = insertTombstone;
        // Replaces a stable tombstone (which the applier treats as absent), leaves any other alone.
        this.insertTombstoneIfAbsent = insertTombstone + " WHERE NOT " + notStable(TOMBSTONE);
        this.updateTombstoneVersion = "UPDATE " + TOMBSTONE + " SET hlc = ?, node_id = ?, vv = ?::jsonb,"
                + " frontier = ?::jsonb, collect_checkpoint = NULL WHERE " + TOMBSTONE_WHERE + pkJson;
        this.deleteRow = "DELETE FROM " + quotedName + " WHERE " + pkPredicate;
        this.updateRowVersion = "UPDATE " + quotedName + " SET " + VERSION_COLUMNS.stream()
                .map(c -> c.column + " = " + c.parameter).collect(Collectors.joining(", ")) + " WHERE " + pkPredicate;
    }

    // ---- Reading the local state.

    /** The local row of {@code key} under a row lock: its user columns as text, then the version columns. */
    PreparedStatement selectRow(PreparedStatements statements, Map<String, String> key) throws SQLException {
        PreparedStatement statement = statements.prepared(selectRow);
        bindKey(statement, 1, key);
        return statement;
    }

    /** The tombstone of {@code key} under a row lock, unless it is stable: hlc, node, vv, frontier. */
    PreparedStatement selectTombstone(PreparedStatements statements, Map<String, String> key) throws SQLException {
        PreparedStatement statement = statements.prepared(selectTombstone);
        statement.setString(1, table.name());
        bindKey(statement, 2, key);
        return statement;
    }

    /**
     * The rows of many keys under row locks: the key's 1-based position in {@code keys}, then the
     * columns of {@link #selectRow}.
     */
    PreparedStatement selectRows(PreparedStatements statements, List<Map<String, String>> keys) throws SQLException {
        PreparedStatement statement = statements.prepared(selectRows);
        bindKeyArrays(statement, keys);
        return statement;
    }

    /** The tombstones of many keys under row locks: the key's 1-based position, then as {@link #selectTombstone}. */
    PreparedStatement selectTombstones(PreparedStatements statements, List<Map<String, String>> keys) throws SQLException {
        PreparedStatement statement = statements.prepared(selectTombstones);
        statement.setString(bindKeyArrays(statement, keys), table.name());
        return statement;
    }

    /** Locks the rows of many keys in key order; one column, their count. */
    PreparedStatement lockRows(PreparedStatements statements, List<Map<String, String>> keys) throws SQLException {
        PreparedStatement statement = statements.prepared(lockRows);
        bindKeyArrays(statement, keys);
        return statement;
    }

    /** Locks the tombstones of many keys in key order; one column, their count. */
    PreparedStatement lockTombstones(PreparedStatements statements, List<Map<String, String>> keys) throws SQLException {
        PreparedStatement statement = statements.prepared(lockTombstones);
        statement.setString(bindKeyArrays(statement, keys), table.name());
        return statement;
    }

    /** The row whose columns start at {@code first}, as {@link #selectRow} returns them. */
    LocalState rowState(ResultSet rs, int first) throws SQLException {
        Map<String, String> values = new LinkedHashMap<>();
        int i = first;
        for (TableShape.Column column : table.columns()) {
            values.put(column.name(), rs.getString(i++));
        }
        RowClock clock = new RowClock(rs.getLong(i), rs.getString(i + 1));
        return new LocalState(LocalState.Kind.ROW, new RowVersion(clock, Json.vector(rs.getString(i + 2))), values,
                Json.metadata(rs.getString(i + 3), rs.getString(i + 4)), Json.frontier(rs.getString(i + 5)));
    }

    /** The tombstone whose columns start at {@code first}, as {@link #selectTombstone} returns them. */
    static LocalState tombstoneState(ResultSet rs, int first) throws SQLException {
        return new LocalState(LocalState.Kind.TOMBSTONE, new RowVersion(new RowClock(rs.getLong(first), rs.getString(first + 1)),
                Json.vector(rs.getString(first + 2))), null, RowMetadata.EMPTY, Json.frontier(rs.getString(first + 3)));
    }

    // ---- Writing rows.

    /**
     * Inserts {@code change}'s row with {@code version}: the key and every non-generated column it
     * sent. Inserts nothing if a row with the key appeared meanwhile (update count 0); another
     * unique constraint still fails.
     */
    PreparedStatement insertRow(PreparedStatements statements, RowChange change, RowVersion version, RowMetadata metadata,
            List<RowState> frontier) throws SQLException {
        List<String> names = insertedColumns(change);
        PreparedStatement statement = statements.prepared(insertSql(names));
        int i = 1;
        for (String name : names) {
            i = bindValue(statement, i, change.key().containsKey(name) ? change.key().get(name) : change.values().get(name));
        }
        bindVersion(statement, i, version, metadata, frontier);
        return statement;
    }

    /** Updates the locked row of {@code change}: every non-key, non-generated column it sent, and the version. */
    PreparedStatement updateRow(PreparedStatements statements, RowChange change, RowVersion version, RowMetadata metadata,
            List<RowState> frontier) throws SQLException {
        List<String> names = updatedColumns(change);
        PreparedStatement statement = statements.prepared(updateSql(names));
        int i = 1;
        for (String name : names) {
            i = bindValue(statement, i, change.values().get(name));
        }
        i = bindVersion(statement, i, version, metadata, frontier);
        bindKey(statement, i, change.key());
        return statement;
    }

    /** Deletes the row of {@code key}. */
    PreparedStatement deleteRow(PreparedStatements statements, Map<String, String> key) throws SQLException {
        PreparedStatement statement = statements.prepared(deleteRow);
        bindKey(statement, 1, key);
        return statement;
    }

    /** Sets the version of the local row of {@code key}, whose values stay. */
    PreparedStatement updateRowVersion(PreparedStatements statements, Map<String, String> key, RowVersion version,
            RowMetadata metadata, List<RowState> frontier) throws SQLException {
        PreparedStatement statement = statements.prepared(updateRowVersion);
        bindKey(statement, bindVersion(statement, 1, version, metadata, frontier), key);
        return statement;
    }

    /** Writes the tombstone of {@code key}, replacing the one there. */
    PreparedStatement upsertTombstone(PreparedStatements statements, Map<String, String> key, RowVersion version,
            List<RowState> frontier) throws SQLException {
        return bindTombstone(statements.prepared(upsertTombstone), key, version, frontier);
    }

    /** Writes the tombstone of {@code key} unless one that is not stable appeared meanwhile (update count 0). */
    PreparedStatement insertTombstoneIfAbsent(PreparedStatements statements, Map<String, String> key, RowVersion version,
            List<RowState> frontier) throws SQLException {
        return bindTombstone(statements.prepared(insertTombstoneIfAbsent), key, version, frontier);
    }

    /** Sets the version of the local tombstone of {@code key}. */
    PreparedStatement updateTombstoneVersion(PreparedStatements statements, Map<String, String> key, RowVersion version,
            List<RowState> frontier) throws SQLException {
        PreparedStatement statement = statements.prepared(updateTombstoneVersion);
        statement.setLong(1, version.clock().hlc());
        statement.setString(2, version.clock().nodeId());
        statement.setString(3, Json.vector(version.vector()));
        statement.setString(4, Json.frontier(frontier));
        statement.setString(5, table.name());
        bindKey(statement, 6, key);
        return statement;
    }

    /**
     * Inserts or updates many rows of one column set in one statement, over one text array per
     * column ({@link RowArrays}); for an insert a key that exists is left alone, so the update count
     * tells whether a local writer inserted one first.
     */
    PreparedStatement writeRows(PreparedStatements statements, Connection connection, RowArrays rows) throws SQLException {
        PreparedStatement statement = statements.prepared(rows.insert() ? insertRowsSql(rows.names()) : updateRowsSql(rows.names()));
        List<List<String>> columns = rows.columns();
        for (int i = 0; i < columns.size(); i++) {
            statement.setArray(i + 1, connection.createArrayOf("text", columns.get(i).toArray()));
        }
        return statement;
    }

    /**
     * The rows of a multi-row write, column by column: the value of column c in row i is
     * {@code columns().get(c).get(i)}. For an update the key columns come first; then the columns of
     * {@code names}, then the version columns.
     */
    static final class RowArrays {
        private final boolean insert;
        private final TableShape table;
        private final List<String> names;
        private final List<List<String>> columns = new ArrayList<>();

        /** @param names for an update the columns after the key columns; for an insert every column written */
        RowArrays(boolean insert, TableShape table, List<String> names) {
            this.insert = insert;
            this.table = table;
            this.names = names;
            int count = (insert ? 0 : table.keyColumnNames().size()) + names.size() + VERSION_COLUMNS.size();
            for (int i = 0; i < count; i++) {
                columns.add(new ArrayList<>());
            }
        }

        boolean insert() {
            return insert;
        }

        List<String> names() {
            return names;
        }

        List<List<String>> columns() {
            return columns;
        }

        boolean accepts(boolean insert, TableShape table, List<String> names) {
            return this.insert == insert && this.table == table && this.names.equals(names);
        }

        void add(RowChange change, RowVersion version, RowMetadata metadata, List<RowState> frontier) {
            int c = 0;
            if (!insert) {
                for (String column : table.keyColumnNames()) {
                    columns.get(c++).add(change.key().get(column));
                }
            }
            for (String name : names) {
                columns.get(c++).add(change.key().containsKey(name) ? change.key().get(name) : change.values().get(name));
            }
            for (VersionColumn column : VERSION_COLUMNS) {
                columns.get(c++).add(column.text(version, metadata, frontier));
            }
        }
    }

    /** The columns an insert writes: the key, and every non-generated column the change sent. */
    List<String> insertedColumns(RowChange change) {
        List<String> names = new ArrayList<>();
        for (TableShape.Column column : table.columns()) {
            String name = column.name();
            if (!column.generated() && (change.key().containsKey(name)
                    || change.values().containsKey(name) && !change.unchangedColumns().contains(name))) {
                names.add(name);
            }
        }
        return names;
    }

    /** The columns an update of a locked row writes: every non-key, non-generated column the change sent. */
    List<String> updatedColumns(RowChange change) {
        List<String> names = new ArrayList<>();
        for (TableShape.Column column : table.columns()) {
            String name = column.name();
            if (!column.generated() && !change.key().containsKey(name) && change.values().containsKey(name)
                    && !change.unchangedColumns().contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    // ---- The SQL text, for the tests and for statements built per column set.

    String selectRowSql() {
        return selectRow;
    }

    String selectRowsSql() {
        return selectRows;
    }

    String lockRowsSql() {
        return lockRows;
    }

    String lockTombstonesSql() {
        return lockTombstones;
    }

    String selectTombstoneSql() {
        return selectTombstone;
    }

    String selectTombstonesSql() {
        return selectTombstones;
    }

    String upsertTombstoneSql() {
        return upsertTombstone;
    }

    String insertTombstoneIfAbsentSql() {
        return insertTombstoneIfAbsent;
    }

    String updateTombstoneVersionSql() {
        return updateTombstoneVersion;
    }

    String deleteRowSql() {
        return deleteRow;
    }

    String updateRowVersionSql() {
        return updateRowVersion;
    }

    String insertSql(List<String> names) {
        return insertSql.computeIfAbsent(List.copyOf(names), n -> {
            List<String> targets = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (String name : n) {
                targets.add(identifier(name));
                values.add("?::" + table.column(name).type());
            }
            for (VersionColumn column : VERSION_COLUMNS) {
                targets.add(column.column);
                values.add(column.parameter);
            }
            return "INSERT INTO " + quotedName + " (" + String.join(", ", targets) + ")" + overriding() + " VALUES ("
                    + String.join(", ", values) + ")" + " ON CONFLICT (" + conflictTarget() + ") DO NOTHING";
        });
    }

    String updateSql(List<String> names) {
        return updateSql.computeIfAbsent(List.copyOf(names), n -> {
            List<String> assignments = new ArrayList<>();
            for (String name : n) {
                assignments.add(identifier(name) + " = ?::" + table.column(name).type());
            }
            for (VersionColumn column : VERSION_COLUMNS) {
                assignments.add(column.column + " = " + column.parameter);
            }
            return "UPDATE " + quotedName + " SET " + String.join(", ", assignments) + " WHERE " + pkPredicate;
        });
    }

    String updateRowsSql(List<String> names) {
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
            return "UPDATE " + quotedName + " AS t SET " + String.join(", ", assignments) + " FROM " + unnest(aliases)
                    + " WHERE " + String.join(" AND ", match);
        });
    }

    String insertRowsSql(List<String> names) {
        return insertRowsSql.computeIfAbsent(List.copyOf(names), n -> {
            List<ArrayColumn> written = arrayColumns(n);
            return "INSERT INTO " + quotedName + " (" + written.stream().map(ArrayColumn::target).collect(Collectors.joining(", "))
                    + ")" + overriding() + " SELECT " + written.stream().map(ArrayColumn::value).collect(Collectors.joining(", "))
                    + " FROM " + unnest(written.stream().map(ArrayColumn::alias).toList()) + " ON CONFLICT ("
                    + conflictTarget() + ") DO NOTHING";
        });
    }

    // ---- Binding.

    private static int bindValue(PreparedStatement statement, int i, String value) throws SQLException {
        if (value == null) {
            statement.setNull(i, Types.OTHER);
        } else {
            statement.setObject(i, value, Types.OTHER);
        }
        return i + 1;
    }

    /** Binds the key's values in key column order; returns the next parameter index. */
    private int bindKey(PreparedStatement statement, int first, Map<String, String> key) throws SQLException {
        int i = first;
        for (String column : table.keyColumnNames()) {
            statement.setObject(i++, key.get(column), Types.OTHER);
        }
        return i;
    }

    /** Binds one array per key column ({@link #keyArray}); returns the next parameter index. */
    private int bindKeyArrays(PreparedStatement statement, List<Map<String, String>> keys) throws SQLException {
        int p = 1;
        for (String column : table.keyColumnNames()) {
            statement.setObject(p++, keyArray(keys, column), Types.OTHER);
        }
        return p;
    }

    /** Binds the values of {@link VersionColumn}, in its order; returns the next parameter index. */
    private static int bindVersion(PreparedStatement statement, int first, RowVersion version, RowMetadata metadata,
            List<RowState> frontier) throws SQLException {
        int i = first;
        for (VersionColumn column : VERSION_COLUMNS) {
            column.bind(statement, i++, version, metadata, frontier);
        }
        return i;
    }

    /** Table name, key..., hlc, node, vv, frontier. */
    private PreparedStatement bindTombstone(PreparedStatement statement, Map<String, String> key, RowVersion version,
            List<RowState> frontier) throws SQLException {
        statement.setString(1, table.name());
        int i = bindKey(statement, 2, key);
        statement.setLong(i, version.clock().hlc());
        statement.setString(i + 1, version.clock().nodeId());
        statement.setString(i + 2, Json.vector(version.vector()));
        statement.setString(i + 3, Json.frontier(frontier));
        return statement;
    }

    /** The array literal of one key column's values. */
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

    // ---- Pieces of the SQL.

    private String overriding() {
        return table.hasIdentityAlways() ? " OVERRIDING SYSTEM VALUE" : "";
    }

    private String conflictTarget() {
        return table.keyColumnNames().stream().map(RowSql::identifier).collect(Collectors.joining(", "));
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
        return keyColumns.isEmpty() ? "'{}'::jsonb" : IntStream.range(0, keyColumns.size())
                .mapToObj(i -> literal(keyColumns.get(i).name()) + ", k.k" + i + "::text")
                .collect(Collectors.joining(", ", "pg_catalog.jsonb_build_object(", ")"));
    }

    /** A column a multi-row statement writes, with its value taken from the text array named {@code alias}. */
    private record ArrayColumn(String target, String alias, String value) {}

    /** The columns of {@code names} (aliases c0, c1, ...), then the version columns, as multi-row statements write them. */
    private List<ArrayColumn> arrayColumns(List<String> names) {
        List<ArrayColumn> written = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            written.add(new ArrayColumn(identifier(names.get(i)), "c" + i, "v.c" + i + "::" + table.column(names.get(i)).type()));
        }
        for (VersionColumn column : VERSION_COLUMNS) {
            written.add(new ArrayColumn(column.column, column.column, "v." + column.column + "::" + column.type));
        }
        return written;
    }

    /** {@code ROWS FROM (unnest(?::text[]), ...) AS v(alias, ...)}: one text array parameter per alias. */
    private static String unnest(List<String> aliases) {
        return "ROWS FROM (" + String.join(", ", Collections.nCopies(aliases.size(), "pg_catalog.unnest(?::text[])"))
                + ") AS v(" + String.join(", ", aliases) + ")";
    }

    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
