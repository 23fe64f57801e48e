package io.syncline.conflict;

import io.syncline.core.config.ColumnRule;
import io.syncline.core.config.ConflictPolicy;
import io.syncline.core.config.ConflictRule;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.TableConfig;
import io.syncline.core.spi.ConflictResolver;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link TablePolicy} of every replicated table, built once from the node's configuration.
 * Each custom resolver class is instantiated once and shared by the rules that name it.
 * Immutable and thread-safe.
 */
public final class ConflictPolicies {

    private final Map<String, TablePolicy> tables;
    private final TablePolicy fallback;

    private ConflictPolicies(Map<String, TablePolicy> tables, TablePolicy fallback) {
        this.tables = Map.copyOf(tables);
        this.fallback = fallback;
    }

    /** Every table with the same strategy (tests, and the applier's default of last-write-wins). */
    public static ConflictPolicies uniform(ConflictStrategy strategy) {
        return new ConflictPolicies(Map.of(), TablePolicy.of(strategy));
    }

    /** The policies of {@code config}'s tables; tables it does not name get the default rule. */
    public static ConflictPolicies of(NodeConfig config) {
        return of(config.tables(), config.conflict().defaultRule(), Thread.currentThread().getContextClassLoader());
    }

    public static ConflictPolicies of(List<TableConfig> tableConfigs, ConflictRule defaultRule, ClassLoader loader) {
        Factory factory = new Factory(loader == null ? ConflictPolicies.class.getClassLoader() : loader);
        Map<String, TablePolicy> tables = new HashMap<>();
        for (TableConfig table : tableConfigs) {
            Map<String, ConflictStrategy> columns = new LinkedHashMap<>();
            for (ColumnRule column : table.columnRules()) {
                columns.put(column.column(), factory.strategy(column.rule(), Map.of()));
            }
            tables.put(table.name().qualified(), new TablePolicy(factory.strategy(table.conflict(), columns), columns));
        }
        return new ConflictPolicies(tables, TablePolicy.of(factory.strategy(defaultRule, Map.of())));
    }

    /** The policy of {@code table} (schema-qualified). */
    public TablePolicy forTable(String table) {
        return tables.getOrDefault(table, fallback);
    }

    /** Maps each policy of the YAML to its strategy class; the one place that knows them all. */
    private static final class Factory {
        private final ClassLoader loader;
        private final Map<String, ConflictResolver> resolvers = new HashMap<>();

        Factory(ClassLoader loader) {
            this.loader = loader;
        }

        ConflictStrategy strategy(ConflictRule rule, Map<String, ConflictStrategy> columns) {
            Objects.requireNonNull(rule, "rule");
            ConflictPolicy policy = rule.policy();
            return switch (policy) {
                case LWW -> LastWriteWinsStrategy.INSTANCE;
                case ORIGIN_PRIORITY -> new OriginPriorityStrategy(rule.originPriority());
                case KEEP_LOCAL -> KeepLocalStrategy.INSTANCE;
                case KEEP_REMOTE -> KeepRemoteStrategy.INSTANCE;
                case MAX -> MaxStrategy.INSTANCE;
                case MIN -> MinStrategy.INSTANCE;
                case DELTA -> DeltaStrategy.INSTANCE;
                case COLUMN_MERGE -> new ColumnMergeStrategy(columns);
                case CUSTOM -> new CustomResolverStrategy(resolvers.computeIfAbsent(rule.resolverClass().orElseThrow(),
                        name -> CustomResolverStrategy.instantiate(name, loader)));
            };
        }
    }
}
