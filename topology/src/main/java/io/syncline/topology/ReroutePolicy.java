package io.syncline.topology;

import io.syncline.core.config.TopologyKind;

/** What a node does about a peer that is down. */
public enum ReroutePolicy {
    /**
     * Read the outboxes of the dead node's upstreams directly, so that changes flow around it
     * (a ring closes around a dead member). For rings and explicit edges, where a dead node would
     * otherwise cut the others apart.
     */
    BYPASS_DEAD_NODES,
    /**
     * Change nothing and wait: in all-to-all every node still reads every live origin directly,
     * and a star leaf whose hub is down keeps its writes in its outbox until the hub returns
     * (leaves never read each other).
     */
    WAIT;

    /** The policy of a topology kind. */
    public static ReroutePolicy of(TopologyKind kind) {
        return switch (kind) {
            case RING, EDGES -> BYPASS_DEAD_NODES;
            case ALL_TO_ALL, STAR -> WAIT;
        };
    }
}
