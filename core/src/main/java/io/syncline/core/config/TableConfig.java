package io.syncline.core.config;

import java.util.List;
import java.util.Objects;

/**
 * A replicated table ({@code tables[i]}).
 *
 * @param name the table
 * @param conflict the table's rule: its own {@code conflict:} or else the default
 *     ({@code conflict.default-policy})
 * @param columnRules per-column overrides, in file order, at most one per column
 * @param location where the table is named in the config file, for later checks against the database
 * @param onError what the applier does with a remote transaction the database refuses in this table
 */
public record TableConfig(TableName name, ConflictRule conflict, List<ColumnRule> columnRules, ConfigLocation location,
        OnError onError) {

    public TableConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(conflict, "conflict");
        columnRules = List.copyOf(columnRules);
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(onError, "onError");
    }

    /** A table that parks refused transactions ({@link OnError#PARK}, the default). */
    public TableConfig(TableName name, ConflictRule conflict, List<ColumnRule> columnRules, ConfigLocation location) {
        this(name, conflict, columnRules, location, OnError.PARK);
    }

    /** The rule that decides conflicts in {@code column}: its override, or else the table's rule. */
    public ConflictRule ruleFor(String column) {
        return columnRules.stream()
                .filter(c -> c.column().equals(column))
                .map(ColumnRule::rule)
                .findFirst()
                .orElse(conflict);
    }
}
