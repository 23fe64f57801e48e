package io.syncline.core.config.internal;

import io.syncline.core.config.ConflictPolicy;
import io.syncline.core.config.ConflictRule;
import java.util.List;
import java.util.Optional;

/**
 * The keys of a conflict rule, shared by the default ({@code conflict:}), a table's and a
 * column's rule: the policy and the parameters only some policies take. Checks that
 * parameters are given exactly when the policy needs them. Whether an origin-priority
 * ranks the right nodes depends on the topology and is checked later
 * ({@link OriginPriorityCheck}).
 */
final class RuleFields {

    static final ValueType<ConflictPolicy> POLICY_TYPE =
            ValueTypes.oneOf(ConflictPolicy.class, ConflictPolicy::configName, "conflict policy");
    static final Setting<List<String>> ORIGIN_PRIORITY = Setting.optional("origin-priority",
            ValueTypes.listOf(ValueTypes.NODE_ID, 1),
            "every node of topology.nodes once, highest priority first, for policy origin-priority");
    static final Setting<String> RESOLVER = Setting.optional("resolver", ValueTypes.CLASS_NAME,
            "class implementing io.syncline.core.spi.ConflictResolver, for policy custom; on the node's class path (put"
                    + " its jar in node/target/lib/)");

    private final Setting<ConflictPolicy> policy;
    private final boolean perColumn;

    /**
     * @param policy the policy key ({@code policy} or {@code default-policy}) with its default
     * @param perColumn whether the rule is a column's (some policies only apply to whole rows)
     */
    RuleFields(Setting<ConflictPolicy> policy, boolean perColumn) {
        this.policy = policy;
        this.perColumn = perColumn;
    }

    List<Setting<?>> settings() {
        return List.of(policy, ORIGIN_PRIORITY, RESOLVER);
    }

    /**
     * The rule, or empty: after recording problems, or when the policy key is optional and
     * absent (then parameters are refused).
     */
    Optional<ConflictRule> read(MapReader map) {
        Optional<ConflictPolicy> p = policy.read(map);
        Optional<List<String>> ranking = ORIGIN_PRIORITY.read(map);
        Optional<String> resolver = RESOLVER.read(map);
        LoadContext ctx = map.context();
        if (p.isEmpty()) {
            if (!policy.isIn(map)) {
                for (String key : List.of(ORIGIN_PRIORITY.key(), RESOLVER.key())) {
                    map.keyNode(key).ifPresent(node -> ctx.error(node, map.child(key),
                            "given without a policy; expected " + policy.key() + " next to it"));
                }
            }
            return Optional.empty();
        }
        ConflictPolicy chosen = p.get();
        String policyPath = map.child(policy.key());
        if (perColumn && !chosen.allowedPerColumn()) {
            ctx.error(policyPath, chosen + " applies to whole rows only; expected it as the table's policy, "
                    + "or a column policy such as lww, max, min or delta");
        }
        checkParameter(map, ORIGIN_PRIORITY, chosen.needsOriginPriority(), ConflictPolicy.ORIGIN_PRIORITY,
                chosen, "the nodes, highest priority first");
        checkParameter(map, RESOLVER, chosen.needsResolver(), ConflictPolicy.CUSTOM,
                chosen, "the class name of a ConflictResolver");
        if (chosen.needsResolver() && resolver.isPresent()) {
            ResolverClassCheck.check(resolver.get(), map.child(RESOLVER.key()), ctx);
        }
        return Optional.of(new ConflictRule(chosen, ranking.orElse(List.of()), resolver));
    }

    private void checkParameter(MapReader map, Setting<?> parameter, boolean needed, ConflictPolicy owner,
            ConflictPolicy chosen, String what) {
        LoadContext ctx = map.context();
        String path = map.child(parameter.key());
        if (needed && !parameter.isIn(map)) {
            ctx.error(ctx.locationOf(map.child(policy.key())), path,
                    "missing; policy " + chosen + " needs it; expected " + what);
        } else if (!needed && parameter.isIn(map)) {
            ctx.error(ctx.keyLocationOf(path).orElseThrow(), path,
                    "only policy " + owner + " takes " + parameter.key() + "; expected no " + parameter.key()
                            + " with policy " + chosen);
        }
    }
}
