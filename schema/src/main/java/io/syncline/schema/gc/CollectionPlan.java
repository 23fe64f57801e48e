package io.syncline.schema.gc;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decides, from the peers' progress, which tombstone checkpoints are stable and which can be
 * collected. A checkpoint records the positions its tombstones' deletes were applied at (this
 * node's own WAL position for its local deletes).
 *
 * <p>Stable: every peer has applied past the checkpoint. A change that arrives later was written
 * after its node had applied those deletes, so it cannot be concurrent with them, and the applier
 * treats a stable tombstone as absent. The tombstone itself stays: local writes still read their
 * version from it, so that peers see them as following the delete.
 *
 * <p>Collectable: stable, and every peer reports that its own tombstones of the same deletes are
 * stable there. Only then may this node forget the deletes: a key it inserts afresh afterwards has
 * a version that does not show the delete, and every peer then treats its own tombstone as absent
 * instead of seeing a conflict with it.
 */
public final class CollectionPlan {

    private CollectionPlan() {}

    /**
     * The checkpoints with only the positions of {@code members}' origins (the nodes of the
     * topology, this one included). A node that left the topology writes nothing more and was drained
     * before it left ({@code syncline leave}); what of it a peer applied after another peer stopped
     * reading it (its last progress reports) must not hold every tombstone forever.
     */
    public static TreeMap<Long, Positions> ofMembers(Map<Long, Positions> checkpoints, Collection<String> members) {
        TreeMap<Long, Positions> filtered = new TreeMap<>();
        checkpoints.forEach((id, positions) -> filtered.put(id, positions.only(members)));
        return filtered;
    }

    /** The newest checkpoint (by id, ascending in {@code checkpoints}) every peer has applied past, or 0. */
    public static long stableUpTo(Map<Long, Positions> checkpoints, List<PeerProgress> peers, List<String> peerIds) {
        long stable = 0;
        for (Map.Entry<Long, Positions> checkpoint : checkpoints.entrySet()) {
            if (!allPeers(peers, peerIds, p -> p.applied().covers(checkpoint.getValue(), p.peer()))) {
                break;
            }
            stable = checkpoint.getKey();
        }
        return stable;
    }

    /** The newest checkpoint up to {@code stable} whose deletes every peer reports stable, or 0. */
    public static long collectableUpTo(Map<Long, Positions> checkpoints, long stable, List<PeerProgress> peers,
            List<String> peerIds) {
        long collectable = 0;
        for (Map.Entry<Long, Positions> checkpoint : checkpoints.entrySet()) {
            if (checkpoint.getKey() > stable
                    || !allPeers(peers, peerIds, p -> p.stable().covers(checkpoint.getValue(), null))) {
                break;
            }
            collectable = checkpoint.getKey();
        }
        return collectable;
    }

    /** Every configured peer has reported, and each report passes {@code test}. */
    private static boolean allPeers(List<PeerProgress> peers, List<String> peerIds,
            java.util.function.Predicate<PeerProgress> test) {
        for (String id : peerIds) {
            PeerProgress progress = peers.stream().filter(p -> p.peer().equals(id)).findFirst().orElse(null);
            if (progress == null || !test.test(progress)) {
                return false;
            }
        }
        return true;
    }
}
