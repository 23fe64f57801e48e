package io.syncline.schema.ddl;

import io.syncline.core.config.TableName;
import io.syncline.core.schema.ReplicationSchema;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One fact a schema change leaves behind in a table, checked by every DC that applies the change:
 * before it runs the statements (a DC where every fact already holds, because the same change ran
 * there too, skips them) and after (a DC where a fact does not hold has another schema, and stops
 * rather than replicating under it). Only what the change altered is compared, so a DC may keep
 * indexes or columns of its own.
 *
 * @param schema     the table's schema
 * @param table      the table's name
 * @param kind       what is expected
 * @param name       the column, index or constraint
 * @param definition for {@link Kind#COLUMN}, the column as {@link #columnDefinition} spells it; for
 *                   {@link Kind#INDEX}, its {@code pg_get_indexdef}; for {@link Kind#TABLE}, the table's
 *                   columns and primary key as {@link #tableDefinition} spells them; else empty
 */
public record Expectation(String schema, String table, Kind kind, String name, String definition) {

    public enum Kind { COLUMN, NO_COLUMN, INDEX, NO_INDEX, NO_CONSTRAINT, TABLE }

    public Expectation {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(definition, "definition");
    }

    public TableName tableName() {
        return new TableName(schema, table);
    }

    /** The facts that {@code changes} (accepted ones) leave in the tables {@code after} describes. */
    public static List<Expectation> of(List<SchemaChange> changes, Map<TableName, TableDefinition> after) {
        Set<Expectation> facts = new LinkedHashSet<>();
        for (SchemaChange change : changes) {
            TableName t = change.table();
            TableDefinition now = after.get(t);
            String column = changedColumn(change);
            if (change instanceof SchemaChange.TableCreated && now != null) {
                facts.add(new Expectation(t.schema(), t.table(), Kind.TABLE, t.table(), tableDefinition(now)));
            } else if (column != null && now != null) {
                now.columns().stream().filter(c -> c.name().equals(column)).findFirst()
                        .ifPresent(c -> facts.add(new Expectation(t.schema(), t.table(), Kind.COLUMN, c.name(), columnDefinition(c))));
            } else if (change instanceof SchemaChange.ColumnDropped dropped) {
                facts.add(new Expectation(t.schema(), t.table(), Kind.NO_COLUMN, dropped.column().name(), ""));
            } else if (change instanceof SchemaChange.IndexCreated index) {
                facts.add(new Expectation(t.schema(), t.table(), Kind.INDEX, index.name(), index.definition()));
            } else if (change instanceof SchemaChange.IndexDropped index) {
                facts.add(new Expectation(t.schema(), t.table(), Kind.NO_INDEX, index.name(), ""));
            } else if (change instanceof SchemaChange.ConstraintDropped constraint) {
                facts.add(new Expectation(t.schema(), t.table(), Kind.NO_CONSTRAINT, constraint.name(), ""));
            }
        }
        // An index dropped and created again under its name is expected as it is now.
        Set<List<String>> created = new java.util.HashSet<>();
        facts.stream().filter(f -> f.kind == Kind.INDEX).forEach(f -> created.add(List.of(f.schema, f.table, f.name)));
        facts.removeIf(f -> f.kind == Kind.NO_INDEX && created.contains(List.of(f.schema, f.table, f.name)));
        return List.copyOf(facts);
    }

    private static String changedColumn(SchemaChange change) {
        if (change instanceof SchemaChange.ColumnAdded added) {
            return added.column().name();
        }
        if (change instanceof SchemaChange.ColumnTypeChanged typed) {
            return typed.column();
        }
        if (change instanceof SchemaChange.NotNullChanged nullability) {
            return nullability.column();
        }
        if (change instanceof SchemaChange.DefaultChanged defaulted) {
            return defaulted.column();
        }
        return null;
    }

    /** A column without its position, which differs between DCs with different histories. */
    static String columnDefinition(ColumnDefinition column) {
        return column.type() + (column.notNull() ? " NOT NULL" : "")
                + (column.defaultExpression() == null ? "" : (column.generated() ? " GENERATED ALWAYS AS " : " DEFAULT ")
                        + column.defaultExpression());
    }

    /**
     * A table's own columns (Syncline's left out, which each DC installs itself) in order, and its
     * primary key: {@code (id bigint NOT NULL, note text) PRIMARY KEY (id)}.
     */
    static String tableDefinition(TableDefinition table) {
        String columns = String.join(", ", table.columns().stream()
                .filter(c -> !ReplicationSchema.METADATA_COLUMNS.contains(c.name()))
                .map(c -> c.name() + " " + columnDefinition(c)).toList());
        String key = table.constraints().values().stream().filter(c -> c.kind() == 'p')
                .map(TableDefinition.Constraint::definition).findFirst().orElse("no primary key");
        return "(" + columns + ") " + key;
    }

    /** The tables this change creates: they join replication at each DC that applies it. */
    public static java.util.Set<TableName> createdTables(List<Expectation> expected) {
        java.util.Set<TableName> created = new java.util.LinkedHashSet<>();
        expected.stream().filter(f -> f.kind == Kind.TABLE).forEach(f -> created.add(f.tableName()));
        return created;
    }

    /** The facts of {@code expected} that do not hold in {@code tables} (table name to definition, absent: no table), in words. */
    public static List<String> unmet(List<Expectation> expected, Map<TableName, TableDefinition> tables) {
        List<String> unmet = new ArrayList<>();
        for (Expectation fact : expected) {
            TableDefinition table = tables.get(fact.tableName());
            String found = table == null ? "no table " + fact.tableName() : fact.found(table);
            if (found != null) {
                unmet.add(fact.describe() + ", found " + found);
            }
        }
        return unmet;
    }

    /** What the table has instead of this fact, or {@code null} when the fact holds. */
    private String found(TableDefinition table) {
        ColumnDefinition column = table.columns().stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
        return switch (kind) {
            case COLUMN -> column == null ? "no such column"
                    : columnDefinition(column).equals(definition) ? null : columnDefinition(column);
            case NO_COLUMN -> column == null ? null : "the column";
            case INDEX -> definition.equals(table.indexes().get(name)) ? null
                    : table.indexes().containsKey(name) ? table.indexes().get(name) : "no such index";
            case NO_INDEX -> table.indexes().containsKey(name) ? table.indexes().get(name) : null;
            case NO_CONSTRAINT -> table.constraints().containsKey(name) ? table.constraints().get(name).definition() : null;
            case TABLE -> tableDefinition(table).equals(definition) ? null : tableDefinition(table);
        };
    }

    /** The fact in words: {@code column note of public.accounts is text DEFAULT ''::text}. */
    public String describe() {
        String where = " of " + schema + "." + table;
        return switch (kind) {
            case COLUMN -> "column " + name + where + " is " + definition;
            case NO_COLUMN -> "no column " + name + where;
            case INDEX -> "index " + name + where + " is " + definition;
            case NO_INDEX -> "no index " + name + where;
            case NO_CONSTRAINT -> "no constraint " + name + where;
            case TABLE -> "table " + schema + "." + table + " is " + definition;
        };
    }
}
