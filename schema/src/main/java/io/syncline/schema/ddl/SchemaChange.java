package io.syncline.schema.ddl;

import io.syncline.core.config.TableName;

/**
 * One difference between a table's definition before and after a schema change, as
 * {@link SchemaDiff} finds it in the catalog. Derived from the catalog rather than from the SQL
 * text, so that every spelling of a statement, and every statement with side effects on another
 * object, is judged by what it really did.
 */
public sealed interface SchemaChange {

    TableName table();

    /** The change in words, for messages: {@code column note added to public.accounts (text)}. */
    String describe();

    record TableCreated(TableName table) implements SchemaChange {
        public String describe() {
            return "table " + table + " created";
        }
    }

    record TableDropped(TableName table) implements SchemaChange {
        public String describe() {
            return "table " + table + " dropped";
        }
    }

    record ColumnAdded(TableName table, ColumnDefinition column) implements SchemaChange {
        public String describe() {
            return "column " + column.name() + " added to " + table + " (" + column.type()
                    + (column.notNull() ? " NOT NULL" : "")
                    + (column.defaultExpression() == null ? "" : " DEFAULT " + column.defaultExpression()) + ")";
        }
    }

    record ColumnDropped(TableName table, ColumnDefinition column) implements SchemaChange {
        public String describe() {
            return "column " + column.name() + " dropped from " + table;
        }
    }

    record ColumnRenamed(TableName table, String from, String to) implements SchemaChange {
        public String describe() {
            return "column " + from + " of " + table + " renamed to " + to;
        }
    }

    record ColumnTypeChanged(TableName table, String column, String from, String to) implements SchemaChange {
        public String describe() {
            return "column " + column + " of " + table + " changed from " + from + " to " + to;
        }
    }

    record NotNullChanged(TableName table, String column, boolean notNull) implements SchemaChange {
        public String describe() {
            return "column " + column + " of " + table + (notNull ? " made NOT NULL" : " made nullable");
        }
    }

    record DefaultChanged(TableName table, String column, String from, String to) implements SchemaChange {
        public String describe() {
            return "default of column " + column + " of " + table + " changed from " + (from == null ? "none" : from) + " to "
                    + (to == null ? "none" : to);
        }
    }

    record IndexCreated(TableName table, String name, String definition) implements SchemaChange {
        public String describe() {
            return "index " + name + " created: " + definition;
        }
    }

    record IndexDropped(TableName table, String name) implements SchemaChange {
        public String describe() {
            return "index " + name + " on " + table + " dropped";
        }
    }

    record ConstraintAdded(TableName table, String name, TableDefinition.Constraint constraint) implements SchemaChange {
        public String describe() {
            return "constraint " + name + " added to " + table + ": " + constraint.definition();
        }
    }

    record ConstraintDropped(TableName table, String name, TableDefinition.Constraint constraint) implements SchemaChange {
        public String describe() {
            return "constraint " + name + " dropped from " + table;
        }
    }
}
