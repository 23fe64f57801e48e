package io.syncline.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.conflict.RowPlan.Action;
import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.VersionVector;
import io.syncline.core.spi.ConflictType;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RowDeciderTest {

    private static final String TABLE = "public.t";
    private static final Map<String, String> KEY = Map.of("id", "1");
    private static final Map<String, String> TYPES = Map.of("id", "integer", "v", "text");
    private final RowDecider decider = new RowDecider(ConflictPolicies.uniform(LastWriteWinsStrategy.INSTANCE), "dc-b");

    /** Local state on dc-b: {dc-a:1, dc-b:1} at hlc 100. */
    private static final RowVersion LOCAL = version(100, "dc-b", Map.of("dc-a", 1L, "dc-b", 1L));

    private enum Order {
        /** Remote saw the local version: {dc-a:2, dc-b:1}. */
        AFTER(version(150, "dc-a", Map.of("dc-a", 2L, "dc-b", 1L))),
        /** Remote is older than local: {dc-a:1}. */
        BEFORE(version(50, "dc-a", Map.of("dc-a", 1L))),
        EQUAL(LOCAL),
        /** Concurrent with a greater clock: {dc-a:2}, hlc 200. */
        CONCURRENT_NEWER(version(200, "dc-a", Map.of("dc-a", 2L))),
        /** Concurrent with a smaller clock: {dc-a:2}, hlc 90. */
        CONCURRENT_OLDER(version(90, "dc-a", Map.of("dc-a", 2L))),
        /** Concurrent, same hlc: the node id breaks the tie (dc-a < dc-b), local wins. */
        CONCURRENT_TIE(version(100, "dc-a", Map.of("dc-a", 2L)));

        final RowVersion remote;

        Order(RowVersion remote) {
            this.remote = remote;
        }
    }

    static Stream<Arguments> decisionTable() {
        VersionVector merged = VersionVector.of(Map.of("dc-a", 2L, "dc-b", 1L));
        Stream.Builder<Arguments> rows = Stream.builder();
        for (LocalState.Kind kind : LocalState.Kind.values()) {
            for (Operation op : Operation.values()) {
                Action write = op != Operation.DELETE ? Action.UPSERT_ROW
                        : kind == LocalState.Kind.ROW ? Action.DELETE_ROW : Action.WRITE_TOMBSTONE;
                if (kind == LocalState.Kind.NONE) {
                    boolean missing = op == Operation.UPDATE;
                    for (Order order : Order.values()) {
                        rows.add(Arguments.of(kind, op, order, write, order.remote, missing ? ConflictType.UPDATE_MISSING : null,
                                missing ? Winner.REMOTE : null));
                    }
                    continue;
                }
                ConflictType type = RowDecider.conflictType(kind, op);
                rows.add(Arguments.of(kind, op, Order.AFTER, write, Order.AFTER.remote, null, null));
                rows.add(Arguments.of(kind, op, Order.BEFORE, Action.SKIP, null, null, null));
                rows.add(Arguments.of(kind, op, Order.EQUAL, Action.SKIP, null, null, null));
                rows.add(Arguments.of(kind, op, Order.CONCURRENT_NEWER, write,
                        new RowVersion(Order.CONCURRENT_NEWER.remote.clock(), merged), type, Winner.REMOTE));
                rows.add(Arguments.of(kind, op, Order.CONCURRENT_OLDER, Action.KEEP_LOCAL,
                        new RowVersion(LOCAL.clock(), merged), type, Winner.LOCAL));
                rows.add(Arguments.of(kind, op, Order.CONCURRENT_TIE, Action.KEEP_LOCAL,
                        new RowVersion(LOCAL.clock(), merged), type, Winner.LOCAL));
            }
        }
        return rows.build();
    }

    @ParameterizedTest(name = "local {0}, remote {1} {2} -> {3}")
    @MethodSource("decisionTable")
    void decidesByVectorOrderThenClock(LocalState.Kind kind, Operation op, Order order, Action action,
            RowVersion written, ConflictType type, Winner winner) {
        LocalState local = switch (kind) {
            case NONE -> LocalState.NONE;
            case ROW -> LocalState.row(LOCAL, Map.of("id", "1", "v", "local"));
            case TOMBSTONE -> LocalState.tombstone(LOCAL);
        };

        RowPlan plan = decider.decide(TABLE, TYPES, KEY, local, change(op, order.remote), "dc-a");

        assertThat(plan.action()).isEqualTo(action);
        assertThat(plan.version()).isEqualTo(written);
        assertThat(plan.conflictType()).isEqualTo(type);
        assertThat(plan.winner()).isEqualTo(winner);
    }

    /**
     * A row that existed before {@code syncline init} and was never stamped (hlc 0, no node, an
     * empty vector) is covered by every vector: any remote write replaces it, however old, and no
     * conflict is logged. Stamped by init, the row is a write of its node at init's clock.
     */
    @Test
    void unstampedPreExistingRowLosesSilentlyToEvenAnOlderRemoteWrite() {
        RowVersion unstamped = version(0, "", Map.of());
        RowPlan plan = decider.decide(TABLE, TYPES, KEY, LocalState.row(unstamped, Map.of("id", "1", "v", "existing")),
                change(Operation.UPDATE, version(50, "dc-c", Map.of("dc-c", 1L))), "dc-c");

        assertThat(plan.action()).isEqualTo(Action.UPSERT_ROW);
        assertThat(plan.isConflict()).isFalse();
    }

    @Test
    void stampedPreExistingRowOrdersByItsVersionAgainstRemoteWrites() {
        // dc-a's init stamped the row at hlc 100; this node holds the copy.
        LocalState stamped = LocalState.row(version(100, "dc-a", Map.of("dc-a", 1L)), Map.of("id", "1", "v", "existing"));

        RowPlan older = decider.decide(TABLE, TYPES, KEY, stamped, change(Operation.UPDATE, version(50, "dc-c", Map.of("dc-c", 1L))),
                "dc-c");
        RowPlan newer = decider.decide(TABLE, TYPES, KEY, stamped, change(Operation.UPDATE, version(150, "dc-c", Map.of("dc-c", 1L))),
                "dc-c");
        RowPlan seen = decider.decide(TABLE, TYPES, KEY, stamped,
                change(Operation.UPDATE, version(60, "dc-c", Map.of("dc-a", 1L, "dc-c", 1L))), "dc-c");

        assertThat(older.conflictType()).isEqualTo(ConflictType.UPDATE_UPDATE);
        assertThat(older.winner()).as("a concurrent write older than the stamp").isEqualTo(Winner.LOCAL);
        assertThat(newer.conflictType()).isEqualTo(ConflictType.UPDATE_UPDATE);
        assertThat(newer.winner()).as("a concurrent write newer than the stamp").isEqualTo(Winner.REMOTE);
        assertThat(seen.isConflict()).as("a write made on the stamped row").isFalse();
        assertThat(seen.action()).isEqualTo(Action.UPSERT_ROW);
    }

    @Test
    void conflictTypesNameLocalStateThenRemoteOperation() {
        assertThat(RowDecider.conflictType(LocalState.Kind.ROW, Operation.INSERT)).isEqualTo(ConflictType.INSERT_INSERT);
        assertThat(RowDecider.conflictType(LocalState.Kind.ROW, Operation.UPDATE)).isEqualTo(ConflictType.UPDATE_UPDATE);
        assertThat(RowDecider.conflictType(LocalState.Kind.ROW, Operation.DELETE)).isEqualTo(ConflictType.UPDATE_DELETE);
        assertThat(RowDecider.conflictType(LocalState.Kind.TOMBSTONE, Operation.INSERT)).isEqualTo(ConflictType.DELETE_UPDATE);
        assertThat(RowDecider.conflictType(LocalState.Kind.TOMBSTONE, Operation.UPDATE)).isEqualTo(ConflictType.DELETE_UPDATE);
        assertThat(RowDecider.conflictType(LocalState.Kind.TOMBSTONE, Operation.DELETE)).isEqualTo(ConflictType.DELETE_DELETE);
    }

    @Test
    void theOldKeyOfAKeyChangeConflictsAsAKeyChangeAndResolvesAsTheDelete() {
        RowChange moved = change(Operation.DELETE, Order.CONCURRENT_NEWER.remote);

        RowPlan keyChange = decider.decide(TABLE, TYPES, KEY, LocalState.row(LOCAL, Map.of("id", "1", "v", "local")), moved,
                "dc-a", true);
        RowPlan plainDelete = decider.decide(TABLE, TYPES, KEY, LocalState.row(LOCAL, Map.of("id", "1", "v", "local")), moved,
                "dc-a", false);

        assertThat(keyChange.conflictType()).isEqualTo(ConflictType.KEY_CHANGE);
        assertThat(plainDelete.conflictType()).isEqualTo(ConflictType.UPDATE_DELETE);
        assertThat(keyChange.action()).isEqualTo(plainDelete.action()).isEqualTo(RowPlan.Action.DELETE_ROW);
        assertThat(keyChange.version()).isEqualTo(plainDelete.version());
        assertThat(decider.decide(TABLE, TYPES, KEY, LocalState.row(LOCAL, Map.of()), change(Operation.DELETE, Order.AFTER.remote),
                "dc-a", true).isConflict()).as("a key change that saw the local version").isFalse();
    }

    @Test
    void bothSidesOfAConflictEndWithTheSameVersion() {
        RowVersion a = version(300, "dc-a", Map.of("dc-a", 3L, "dc-b", 1L));
        RowVersion b = version(250, "dc-b", Map.of("dc-a", 2L, "dc-b", 2L));

        RowPlan onA = decider.decide(TABLE, TYPES, KEY, LocalState.row(a, Map.of()), change(Operation.UPDATE, b), "dc-b");
        RowPlan onB = decider.decide(TABLE, TYPES, KEY, LocalState.row(b, Map.of()), change(Operation.UPDATE, a), "dc-a");

        assertThat(onA.winner()).isEqualTo(Winner.LOCAL);
        assertThat(onB.winner()).isEqualTo(Winner.REMOTE);
        assertThat(onA.version()).isEqualTo(onB.version());
        assertThat(onA.version()).isEqualTo(version(300, "dc-a", Map.of("dc-a", 3L, "dc-b", 2L)));
    }

    private static RowChange change(Operation op, RowVersion version) {
        Map<String, String> values = op == Operation.DELETE ? Map.of() : Map.of("id", "1", "v", "remote");
        return new RowChange(TABLE, op, KEY, null, values, null, version);
    }

    private static RowVersion version(long hlc, String node, Map<String, Long> vector) {
        return new RowVersion(new RowClock(hlc, node), VersionVector.of(vector));
    }
}
