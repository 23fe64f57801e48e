package io.syncline.core.config.internal;

import io.syncline.core.config.ColumnRule;
import io.syncline.core.config.ConflictRule;
import java.util.List;
import java.util.Optional;

/**
 * A table's {@code conflict:} as written.
 *
 * @param rule the table's own rule; empty when it names no policy (the default applies)
 * @param columns per-column overrides
 */
record TableConflict(Optional<ConflictRule> rule, List<ColumnRule> columns) {

    static final TableConflict NONE = new TableConflict(Optional.empty(), List.of());
}
