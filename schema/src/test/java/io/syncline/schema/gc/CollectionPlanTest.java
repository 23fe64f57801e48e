package io.syncline.schema.gc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CollectionPlanTest {

    private static final List<String> PEERS = List.of("b", "c");

    /** Checkpoints of node a: 1 needs a's own WAL at 100 and b at 50; 2 needs a at 200 and b at 80. */
    private static final TreeMap<Long, Positions> CHECKPOINTS = new TreeMap<>(Map.of(
            1L, new Positions(Map.of("a", 100L, "b", 50L)),
            2L, new Positions(Map.of("a", 200L, "b", 80L))));

    @Test
    void aNodeThatLeftTheTopologyHoldsNoCheckpoint() {
        // Node d left: a applied d up to 70 (d's last report), b stopped reading d at 60.
        TreeMap<Long, Positions> withDeparted = new TreeMap<>(Map.of(1L, new Positions(Map.of("a", 100L, "d", 70L))));
        List<PeerProgress> onlyB = List.of(progress("b", Map.of("a", 150L, "d", 60L), Map.of("a", 150L, "b", 150L)));

        assertThat(CollectionPlan.stableUpTo(withDeparted, onlyB, List.of("b"))).as("d's position kept").isZero();
        TreeMap<Long, Positions> members = CollectionPlan.ofMembers(withDeparted, List.of("a", "b"));
        assertThat(CollectionPlan.stableUpTo(members, onlyB, List.of("b"))).isEqualTo(1);
        assertThat(CollectionPlan.collectableUpTo(members, 1, onlyB, List.of("b"))).isEqualTo(1);
    }

    @Test
    void nothingIsStableWhileAPeerHasNeverReported() {
        List<PeerProgress> onlyB = List.of(progress("b", Map.of("a", 500L), Map.of("a", 500L, "b", 500L)));
        assertThat(CollectionPlan.stableUpTo(CHECKPOINTS, onlyB, PEERS)).isZero();
    }

    @Test
    void aCheckpointIsStableOncePeersAppliedPastItIgnoringTheirOwnEntry() {
        // b has trivially seen its own writes (entry b is not asked of b); c must have applied b up to 50.
        List<PeerProgress> peers = List.of(
                progress("b", Map.of("a", 150L), Map.of()),
                progress("c", Map.of("a", 150L, "b", 60L), Map.of()));
        assertThat(CollectionPlan.stableUpTo(CHECKPOINTS, peers, PEERS)).isEqualTo(1);
        assertThat(CollectionPlan.collectableUpTo(CHECKPOINTS, 1, peers, PEERS)).as("no peer reports stable tombstones").isZero();
    }

    @Test
    void aPeerBehindOnOneOriginHoldsBackStability() {
        List<PeerProgress> peers = List.of(
                progress("b", Map.of("a", 150L), Map.of()),
                progress("c", Map.of("a", 150L, "b", 49L), Map.of()));
        assertThat(CollectionPlan.stableUpTo(CHECKPOINTS, peers, PEERS)).isZero();
    }

    @Test
    void collectionWaitsUntilEveryPeerReportsTheSameDeletesStable() {
        Map<String, Long> applied = Map.of("a", 300L, "b", 300L, "c", 300L);
        List<PeerProgress> cBehindOnStability = List.of(
                progress("b", applied, Map.of("a", 300L, "b", 300L, "c", 300L)),
                progress("c", applied, Map.of("a", 150L, "b", 300L, "c", 300L)));
        assertThat(CollectionPlan.stableUpTo(CHECKPOINTS, cBehindOnStability, PEERS)).isEqualTo(2);
        assertThat(CollectionPlan.collectableUpTo(CHECKPOINTS, 2, cBehindOnStability, PEERS)).isEqualTo(1);
        assertThat(CollectionPlan.collectableUpTo(CHECKPOINTS, 1, cBehindOnStability, PEERS)).as("never past stable").isEqualTo(1);
    }

    @Test
    void positionsCoverEntryByEntry() {
        Positions have = new Positions(Map.of("a", 10L, "b", 5L));
        assertThat(have.covers(new Positions(Map.of("a", 10L)), null)).isTrue();
        assertThat(have.covers(new Positions(Map.of("a", 11L)), null)).isFalse();
        assertThat(have.covers(new Positions(Map.of("c", 0L)), null)).as("unknown origin").isFalse();
        assertThat(have.covers(new Positions(Map.of("c", 7L)), "c")).as("excepted origin").isTrue();
    }

    private static PeerProgress progress(String peer, Map<String, Long> applied, Map<String, Long> stable) {
        return new PeerProgress(peer, new Positions(applied), new Positions(stable), false);
    }
}
