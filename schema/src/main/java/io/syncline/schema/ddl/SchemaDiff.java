package io.syncline.schema.ddl;

import io.syncline.core.config.TableName;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@link SchemaChange}s that turn one set of table definitions into another. Columns are
 * matched by {@code attnum}, so a renamed column is a rename and a dropped and re-added one is a
 * drop and an add. Stateless.
 */
public final class SchemaDiff {

    private SchemaDiff() {}

    /**
     * @param before the tables as they were, by name; a table missing from the map did not exist
     * @param after  the same tables (and any new one) as they are now
     * @return the changes, table by table in the order of the two maps, each table's columns before its indexes
     *         and constraints
     */
    public static List<SchemaChange> between(Map<TableName, TableDefinition> before, Map<TableName, TableDefinition> after) {
        Set<TableName> tables = new LinkedHashSet<>(before.keySet());
        tables.addAll(after.keySet());
        List<SchemaChange> changes = new ArrayList<>();
        for (TableName table : tables) {
            TableDefinition old = before.get(table);
            TableDefinition now = after.get(table);
            if (old == null && now != null) {
                changes.add(new SchemaChange.TableCreated(table));
            } else if (old != null && now == null) {
                changes.add(new SchemaChange.TableDropped(table));
            } else if (old != null) {
                columns(table, old, now, changes);
                indexes(table, old, now, changes);
                constraints(table, old, now, changes);
            }
        }
        return changes;
    }

    private static void columns(TableName table, TableDefinition old, TableDefinition now, List<SchemaChange> changes) {
        Map<Integer, ColumnDefinition> before = old.columnsByPosition();
        Map<Integer, ColumnDefinition> after = now.columnsByPosition();
        for (ColumnDefinition column : before.values()) {
            ColumnDefinition changed = after.get(column.position());
            if (changed == null) {
                changes.add(new SchemaChange.ColumnDropped(table, column));
                continue;
            }
            if (!changed.name().equals(column.name())) {
                changes.add(new SchemaChange.ColumnRenamed(table, column.name(), changed.name()));
            }
            if (!typeOf(changed).equals(typeOf(column))) {
                changes.add(new SchemaChange.ColumnTypeChanged(table, changed.name(), typeOf(column), typeOf(changed)));
            }
            if (changed.notNull() != column.notNull()) {
                changes.add(new SchemaChange.NotNullChanged(table, changed.name(), changed.notNull()));
            }
            if (!Objects.equals(changed.defaultExpression(), column.defaultExpression()) && !changed.generated()) {
                changes.add(new SchemaChange.DefaultChanged(table, changed.name(), column.defaultExpression(),
                        changed.defaultExpression()));
            }
        }
        for (ColumnDefinition column : after.values()) {
            if (!before.containsKey(column.position())) {
                changes.add(new SchemaChange.ColumnAdded(table, column));
            }
        }
    }

    /** A generated column's expression is part of what it is, not a default that inserts may override. */
    private static String typeOf(ColumnDefinition column) {
        return column.generated() ? column.type() + " GENERATED ALWAYS AS " + column.defaultExpression() : column.type();
    }

    private static void indexes(TableName table, TableDefinition old, TableDefinition now, List<SchemaChange> changes) {
        old.indexes().forEach((name, definition) -> {
            if (!definition.equals(now.indexes().get(name))) {
                changes.add(new SchemaChange.IndexDropped(table, name));
            }
        });
        now.indexes().forEach((name, definition) -> {
            if (!definition.equals(old.indexes().get(name))) {
                changes.add(new SchemaChange.IndexCreated(table, name, definition));
            }
        });
    }

    private static void constraints(TableName table, TableDefinition old, TableDefinition now, List<SchemaChange> changes) {
        old.constraints().forEach((name, constraint) -> {
            if (!constraint.equals(now.constraints().get(name))) {
                changes.add(new SchemaChange.ConstraintDropped(table, name, constraint));
            }
        });
        now.constraints().forEach((name, constraint) -> {
            if (!constraint.equals(old.constraints().get(name))) {
                changes.add(new SchemaChange.ConstraintAdded(table, name, constraint));
            }
        });
    }
}
