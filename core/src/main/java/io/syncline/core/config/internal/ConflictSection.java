package io.syncline.core.config.internal;

import io.syncline.core.config.ConflictPolicy;
import io.syncline.core.config.ConflictRule;
import java.util.List;
import java.util.Optional;

/** Top-level {@code conflict:}, the rule of every table without one of its own. */
final class ConflictSection extends Section<ConflictRule> {

    static final Setting<ConflictPolicy> DEFAULT_POLICY = Setting.withDefault("default-policy",
            RuleFields.POLICY_TYPE, ConflictPolicy.LWW, "policy of tables that name none");

    private final RuleFields fields = new RuleFields(DEFAULT_POLICY, false);

    @Override
    public List<Setting<?>> settings() {
        return fields.settings();
    }

    @Override
    Optional<ConflictRule> read(MapReader map) {
        return fields.read(map);
    }
}
