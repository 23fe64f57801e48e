package io.syncline.core.config.internal;

import io.syncline.core.config.Edge;
import java.util.List;
import java.util.Optional;

/** {@code topology.edges[i]:}, one directed link {@code {from: a, to: b}}. */
final class EdgeSection extends Section<Edge> {

    static final Setting<String> FROM = Setting.required("from", ValueTypes.NODE_ID, "the node whose changes flow");
    static final Setting<String> TO = Setting.required("to", ValueTypes.NODE_ID, "the node that reads them");

    @Override
    public List<Setting<?>> settings() {
        return List.of(FROM, TO);
    }

    @Override
    Optional<Edge> read(MapReader map) {
        Optional<String> from = FROM.read(map);
        Optional<String> to = TO.read(map);
        if (!allPresent(from, to)) {
            return Optional.empty();
        }
        if (from.get().equals(to.get())) {
            map.context().error(map.child(TO.key()),
                    "is the same node as from; expected an edge between two different nodes");
            return Optional.empty();
        }
        return Optional.of(new Edge(from.get(), to.get()));
    }
}
