package io.syncline.conflict;

import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.OnError;
import io.syncline.core.config.TableConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the applier does, table by table, with a source transaction the database refuses
 * ({@code tables[i].on-error}). Immutable and thread-safe.
 */
public final class OnErrorPolicies {

    private final Map<String, OnError> tables;
    private final OnError fallback;

    private OnErrorPolicies(Map<String, OnError> tables, OnError fallback) {
        this.tables = Map.copyOf(tables);
        this.fallback = Objects.requireNonNull(fallback, "fallback");
    }

    /** Every table alike. */
    public static OnErrorPolicies uniform(OnError onError) {
        return new OnErrorPolicies(Map.of(), onError);
    }

    /** The settings of {@code config}'s tables; a table it does not name parks, the config's default. */
    public static OnErrorPolicies of(NodeConfig config) {
        return of(config.tables());
    }

    public static OnErrorPolicies of(List<TableConfig> tableConfigs) {
        Map<String, OnError> tables = new HashMap<>();
        for (TableConfig table : tableConfigs) {
            tables.put(table.name().qualified(), table.onError());
        }
        return new OnErrorPolicies(tables, OnError.PARK);
    }

    /** The setting of {@code table} (schema-qualified). */
    public OnError forTable(String table) {
        return tables.getOrDefault(table, fallback);
    }
}
