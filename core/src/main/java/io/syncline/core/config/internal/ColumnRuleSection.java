package io.syncline.core.config.internal;

import io.syncline.core.config.ConflictPolicy;
import io.syncline.core.config.ConflictRule;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * One column's rule in {@code conflict.columns}: {@code balance: {policy: delta}}, or the
 * short form {@code balance: delta} for policies without parameters.
 */
final class ColumnRuleSection implements ValueType<ConflictRule> {

    static final Setting<ConflictPolicy> POLICY = Setting.required("policy", RuleFields.POLICY_TYPE,
            "conflict policy of this column");

    private final Section<ConflictRule> longForm = new Section<>() {
        private final RuleFields fields = new RuleFields(POLICY, true);

        @Override
        public List<Setting<?>> settings() {
            return fields.settings();
        }

        @Override
        Optional<ConflictRule> read(MapReader map) {
            return fields.read(map);
        }
    };

    @Override
    public Optional<ConflictRule> read(Node node, String path, LoadContext ctx) {
        if (node instanceof MappingNode) {
            return longForm.read(node, path, ctx);
        }
        return RuleFields.POLICY_TYPE.read(node, path, ctx).flatMap(policy -> {
            if (!policy.allowedPerColumn()) {
                ctx.error(node, path, policy + " applies to whole rows only; expected it as the table's policy, "
                        + "or a column policy such as lww, max, min or delta");
                return Optional.empty();
            }
            if (policy.needsOriginPriority() || policy.needsResolver()) {
                ctx.error(node, path, "policy " + policy + " needs parameters; expected the long form {policy: "
                        + policy + ", " + (policy.needsResolver() ? "resolver: ..." : "origin-priority: [...]") + "}");
                return Optional.empty();
            }
            return Optional.of(ConflictRule.of(policy));
        });
    }

    @Override
    public String expected() {
        return "a policy name or " + longForm.expected();
    }

    @Override
    public String summary() {
        return "a policy name or a mapping";
    }

    @Override
    public Map<String, Object> schema() {
        return JsonSchemas.oneOf(RuleFields.POLICY_TYPE.schema(), longForm.schema());
    }

    @Override
    public List<Setting<?>> settings() {
        return longForm.settings();
    }
}
