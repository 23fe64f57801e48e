package io.syncline.core.config;

import java.util.Arrays;
import java.util.Optional;

/** How the nodes of a deployment pass changes to each other ({@code topology.kind}). */
public enum TopologyKind {
    /** Every node reads every other node's changes directly; nothing is forwarded. */
    ALL_TO_ALL("all-to-all"),
    /**
     * Changes travel around a directed cycle in the order of {@code topology.nodes}; each node
     * reads from its predecessor and forwards what it has not seen.
     */
    RING("ring"),
    /** Spokes read only from the hub; the hub reads from every spoke and forwards. */
    STAR("star"),
    /** Explicit directed {@code edges}; every node must be able to reach every other node. */
    EDGES("edges");

    private final String configName;

    TopologyKind(String configName) {
        this.configName = configName;
    }

    /** The spelling in the YAML file, e.g. {@code all-to-all}. */
    public String configName() {
        return configName;
    }

    /** Whether {@code topology.hub} is required (and allowed). */
    public boolean needsHub() {
        return this == STAR;
    }

    /** Whether {@code topology.edges} is required (and allowed). */
    public boolean needsExplicitEdges() {
        return this == EDGES;
    }

    /** The kind spelled {@code name} in YAML, if any. */
    public static Optional<TopologyKind> fromConfigName(String name) {
        return Arrays.stream(values()).filter(k -> k.configName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return configName;
    }
}
