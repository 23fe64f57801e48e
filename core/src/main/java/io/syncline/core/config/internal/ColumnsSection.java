package io.syncline.core.config.internal;

import io.syncline.core.config.ColumnRule;
import io.syncline.core.config.ConflictRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/** {@code conflict.columns:}, a mapping of column name to that column's rule. */
final class ColumnsSection implements ValueType<List<ColumnRule>> {

    private final ColumnRuleSection rule = new ColumnRuleSection();

    @Override
    public Optional<List<ColumnRule>> read(Node node, String path, LoadContext ctx) {
        int before = ctx.errorCount();
        Optional<MapReader> opened = MapReader.open(node, path, ctx, expected());
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        MapReader map = opened.get();
        List<ColumnRule> rules = new ArrayList<>();
        Map<String, String> folded = new HashMap<>();
        for (String key : map.keys()) {
            Node keyNode = map.keyNode(key).orElseThrow();
            String columnPath = map.child(key);
            Optional<String> column = ValueTypes.IDENTIFIER.read(keyNode, columnPath, ctx);
            Optional<ConflictRule> columnRule = rule.read(map.value(key).orElseThrow(), columnPath, ctx);
            if (column.isEmpty()) {
                continue;
            }
            String earlier = folded.putIfAbsent(column.get(), key);
            if (earlier != null) {
                ctx.error(keyNode, columnPath, "names column " + column.get() + " again (as '" + earlier
                        + "'; unquoted names ignore case); expected each column once");
            } else {
                columnRule.ifPresent(r -> rules.add(new ColumnRule(column.get(), r, ctx.locate(keyNode))));
            }
        }
        return ctx.errorCount() == before ? Optional.of(List.copyOf(rules)) : Optional.empty();
    }

    @Override
    public String expected() {
        return "a mapping of column name to policy, e.g. {balance: delta, updated_at: {policy: max}}";
    }

    @Override
    public Map<String, Object> schema() {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("propertyNames", ValueTypes.IDENTIFIER.schema());
        schema.put("additionalProperties", rule.schema());
        return schema;
    }

    /** Any column name as a key, for the key reference. */
    @Override
    public List<Setting<?>> settings() {
        return List.of(Setting.optional("<column>", rule, "that column's conflict rule, overriding the table's: a policy"
                + " name, or the mapping below for a policy with parameters"));
    }
}
