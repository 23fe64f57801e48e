package io.syncline.core.config;

import java.util.Objects;

/**
 * A schema-qualified table name. Both parts are PostgreSQL identifiers as stored in the
 * catalog (the loader folds unquoted names to lower case, as PostgreSQL does).
 *
 * @param schema e.g. {@code public}
 * @param table e.g. {@code accounts}
 */
public record TableName(String schema, String table) {

    /** The schema assumed when a config names a table without one. */
    public static final String DEFAULT_SCHEMA = "public";

    public TableName {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
    }

    /** {@code schema.table}. */
    public String qualified() {
        return schema + "." + table;
    }

    /** {@code schema.table}. */
    @Override
    public String toString() {
        return qualified();
    }
}
