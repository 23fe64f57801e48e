package io.syncline.core.config.internal;

import io.syncline.core.config.ApplySettings;
import java.util.List;
import java.util.Optional;

/** {@code apply:}, how this node applies its peers' changes. */
final class ApplySection extends Section<ApplySettings> {

    static final Setting<Integer> WRITERS = Setting.withDefault("writers", ValueTypes.integer(1, 64),
            ApplySettings.defaultWriters(), "database sessions per link applying target transactions with disjoint keys"
                    + " side by side (they commit in order); the default is one per core, at most "
                    + ApplySettings.MAX_DEFAULT_WRITERS);

    @Override
    List<String> keys() {
        return List.of(WRITERS.key());
    }

    @Override
    Optional<ApplySettings> read(MapReader map) {
        return WRITERS.read(map).map(ApplySettings::new);
    }
}
