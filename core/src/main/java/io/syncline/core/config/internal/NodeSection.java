package io.syncline.core.config.internal;

import java.util.List;
import java.util.Optional;

/** {@code node:}, this node's identity. */
final class NodeSection extends Section<String> {

    static final Setting<String> ID = Setting.required("id", ValueTypes.NODE_ID,
            "this node's id, unique in the topology");

    @Override
    public List<Setting<?>> settings() {
        return List.of(ID);
    }

    @Override
    Optional<String> read(MapReader map) {
        return ID.read(map);
    }
}
