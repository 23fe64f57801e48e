package io.syncline.node.runtime;

import io.syncline.topology.LivenessTracker.PeerLiveness;
import java.util.List;
import java.util.Set;

/**
 * A snapshot of a running node for status output: its peers' liveness, the links it reads now
 * and why. Immutable (the {@link LinkStatus} counters keep moving).
 *
 * @param nodeId this node
 * @param state  its lifecycle state
 * @param routes the current route plan in words, e.g. {@code reading dc-b (down, waiting), dc-a (instead of dc-b, down)}
 * @param down   the peers considered down
 * @param peers  every watched peer
 * @param links  the links running now, configured ones first
 */
public record NodeStatus(String nodeId, SynclineNode.State state, String routes, Set<String> down, List<PeerLiveness> peers,
                         List<LinkStatus> links) {

    public NodeStatus {
        down = Set.copyOf(down);
        peers = List.copyOf(peers);
        links = List.copyOf(links);
    }
}
