package io.syncline.core.config.internal;

import io.syncline.core.config.Edge;
import io.syncline.core.config.TopologyConfig;
import io.syncline.core.config.TopologyKind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@code topology:}, the deployment's node graph. */
final class TopologySection extends Section<TopologyConfig> {

    static final Setting<TopologyKind> KIND = Setting.required("kind",
            ValueTypes.oneOf(TopologyKind.class, TopologyKind::configName, "topology kind"),
            "shape of the node graph");
    static final Setting<List<String>> NODES = Setting.required("nodes", ValueTypes.listOf(ValueTypes.NODE_ID, 2),
            "ids of all nodes, this one included; a ring's order is its direction");
    static final Setting<String> HUB = Setting.optional("hub", ValueTypes.NODE_ID,
            "the hub of a star topology: required for star, refused otherwise");
    static final Setting<List<Edge>> EDGES = Setting.optional("edges", ValueTypes.listOf(new EdgeSection(), 1),
            "directed links {from, to} of an edges topology: required for edges, refused otherwise; every node must"
                    + " reach every other");
    static final Setting<Duration> FAILURE_TIMEOUT = Setting.withDefault("failure-timeout", ValueTypes.DURATION,
            Duration.ofSeconds(30), "how long a silent peer counts as alive");

    @Override
    public List<Setting<?>> settings() {
        return List.of(KIND, NODES, HUB, EDGES, FAILURE_TIMEOUT);
    }

    @Override
    Optional<TopologyConfig> read(MapReader map) {
        Optional<TopologyKind> kind = KIND.read(map);
        Optional<List<String>> nodes = NODES.read(map);
        Optional<String> hub = HUB.read(map);
        Optional<List<Edge>> edges = EDGES.read(map);
        Optional<Duration> failureTimeout = FAILURE_TIMEOUT.read(map);
        if (!allPresent(kind, nodes, failureTimeout)
                || (HUB.isIn(map) && hub.isEmpty())
                || (EDGES.isIn(map) && edges.isEmpty())) {
            return Optional.empty();
        }
        int before = map.context().errorCount();
        new TopologyChecks(map, kind.get(), nodes.get()).check(hub, edges.orElse(List.of()));
        if (map.context().errorCount() > before) {
            return Optional.empty();
        }
        return Optional.of(new TopologyConfig(kind.get(), nodes.get(), hub, edges.orElse(List.of()),
                failureTimeout.get()));
    }
}
