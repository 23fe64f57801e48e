package io.syncline.core.config.internal;

import io.syncline.core.config.ApplySettings;
import java.util.List;
import java.util.Optional;

/** {@code apply:}, how this node applies its peers' changes. */
final class ApplySection extends Section<ApplySettings> {

    // Optional rather than with a default: the default depends on the machine the node runs on, so it is no
    // fixed value of the key reference or the schema.
    static final Setting<Integer> WRITERS = Setting.optional("writers", ValueTypes.integer(1, 64),
            "database sessions per link applying target transactions with disjoint keys side by side (they commit in"
                    + " order); absent: one per core of the machine the node runs on, at most "
                    + ApplySettings.MAX_DEFAULT_WRITERS);

    @Override
    public List<Setting<?>> settings() {
        return List.of(WRITERS);
    }

    @Override
    Optional<ApplySettings> read(MapReader map) {
        return Optional.of(new ApplySettings(WRITERS.read(map).orElse(ApplySettings.defaultWriters())));
    }
}
