package io.syncline.core.config.internal;

import io.syncline.core.config.ColumnRule;
import io.syncline.core.config.ConflictPolicy;
import io.syncline.core.config.ConflictRule;
import java.util.List;
import java.util.Optional;

/** {@code tables[i].conflict:}, a table's rule and per-column overrides. */
final class TableConflictSection extends Section<TableConflict> {

    static final Setting<ConflictPolicy> POLICY = Setting.optional("policy", RuleFields.POLICY_TYPE,
            "conflict policy of this table; conflict.default-policy when absent");
    static final Setting<List<ColumnRule>> COLUMNS = Setting.withDefault("columns", new ColumnsSection(), List.of(),
            "per-column policies overriding the table's (column-merge is refused per column)");

    private final RuleFields fields = new RuleFields(POLICY, false);

    @Override
    public List<Setting<?>> settings() {
        return concat(fields.settings(), List.of(COLUMNS));
    }

    @Override
    Optional<TableConflict> read(MapReader map) {
        Optional<ConflictRule> rule = fields.read(map);
        Optional<List<ColumnRule>> columns = COLUMNS.read(map);
        return columns.map(c -> new TableConflict(rule, c));
    }
}
