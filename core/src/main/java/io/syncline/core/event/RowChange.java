package io.syncline.core.event;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One row change of a source transaction.
 *
 * <p>Column values travel as PostgreSQL's text representation (what {@code ::text} prints),
 * which every type round-trips through exactly; a {@code null} value is SQL NULL. The applier
 * casts them back to the target column's type.
 *
 * @param table            schema-qualified table name, e.g. {@code public.accounts}
 * @param operation        insert, update or delete
 * @param key              primary-key columns of the row after the change (before it, for a delete), in key order
 * @param oldKey           the primary key before the change when an update changed it; otherwise {@code null}
 * @param values           the new column values for inserts and updates (empty for deletes), in table order,
 *                         without the replication metadata columns
 * @param unchangedColumns columns an update left untouched whose value the source did not send (TOASTed values);
 *                         the applier keeps the local value of these
 * @param version          the row version this change creates (for a delete: the tombstone's version)
 * @param metadata         the row's merge metadata after the change ({@link RowMetadata#EMPTY} for deletes and
 *                         for tables whose policy needs none)
 * @param columnTypes      the origin's type of each column sent, as Debezium describes it: the PostgreSQL type
 *                         name in upper case with its length and scale, e.g. {@code VARCHAR(20,0)},
 *                         {@code NUMERIC(10,2)} ({@link #columnType}); empty when the origin did not say (deletes,
 *                         events of format 1). The applier compares them with the local table and refuses a lossy cast
 */
public record RowChange(
        String table,
        Operation operation,
        Map<String, String> key,
        Map<String, String> oldKey,
        Map<String, String> values,
        Set<String> unchangedColumns,
        RowVersion version,
        RowMetadata metadata,
        Map<String, String> columnTypes) {

    /** A change without the origin's column types. */
    public RowChange(String table, Operation operation, Map<String, String> key, Map<String, String> oldKey,
            Map<String, String> values, Set<String> unchangedColumns, RowVersion version, RowMetadata metadata) {
        this(table, operation, key, oldKey, values, unchangedColumns, version, metadata, Map.of());
    }

    /** A change without merge metadata. */
    public RowChange(String table, Operation operation, Map<String, String> key, Map<String, String> oldKey,
            Map<String, String> values, Set<String> unchangedColumns, RowVersion version) {
        this(table, operation, key, oldKey, values, unchangedColumns, version, RowMetadata.EMPTY);
    }

    public RowChange {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(version, "version");
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a row change needs its primary key: " + table);
        }
        key = unmodifiableCopy(key);
        oldKey = oldKey == null ? null : unmodifiableCopy(oldKey);
        values = values == null ? Map.of() : unmodifiableCopy(values);
        unchangedColumns = unchangedColumns == null ? Set.of() : Set.copyOf(unchangedColumns);
        metadata = metadata == null ? RowMetadata.EMPTY : metadata;
        columnTypes = columnTypes == null || columnTypes.isEmpty() ? Map.of() : unmodifiableCopy(columnTypes);
    }

    /**
     * A column type as {@link #columnTypes} holds it: {@code name} in upper case, then its length and
     * scale in parentheses; a missing scale is written as 0.
     */
    public static String columnType(String name, int length, int scale) {
        return name.toUpperCase(java.util.Locale.ROOT) + "(" + length + "," + scale + ")";
    }

    public boolean changesKey() {
        return oldKey != null && !oldKey.equals(key);
    }

    // Map.copyOf refuses null values, and SQL NULL is a legal column value.
    private static Map<String, String> unmodifiableCopy(Map<String, String> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
