package io.syncline.core.config;

import java.util.Objects;

/**
 * A per-column conflict override ({@code tables[i].conflict.columns.<column>}).
 *
 * @param column the column name (unquoted identifiers folded to lower case)
 * @param rule the rule for this column; never {@link ConflictPolicy#COLUMN_MERGE}
 * @param location where the column is named in the config file, for later checks against the database
 */
public record ColumnRule(String column, ConflictRule rule, ConfigLocation location) {

    public ColumnRule {
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(location, "location");
    }
}
