package io.syncline.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.event.ChainLink;
import io.syncline.core.event.OriginIdentity;
import io.syncline.core.event.SourceTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ParallelPlanTest {

    private static final OriginIdentity IDENTITY = new OriginIdentity(7, 1);

    @Test
    void eachGroupExpectsWhatTheGroupsBeforeItApplied() {
        List<SourceTransaction> batch = chain(10, 20, 30, 40);

        ParallelPlan plan = ParallelPlan.of(batch, Map.of(), "dc-b", from -> from + 2).orElseThrow();

        assertThat(plan.groups()).hasSize(2);
        assertThat(plan.groups().get(0).expected()).isEmpty();
        assertThat(plan.groups().get(1).expected().get("dc-a").position()).isEqualTo(20);
        assertThat(plan.groups().get(1).expected().get("dc-a").chainStart()).isEqualTo(10);
    }

    @Test
    void duplicatesLeaveTheExpectedPositionWhereItWas() {
        List<SourceTransaction> batch = chain(10, 20, 30, 40);
        ChainCheck.Applied applied = new ChainCheck.Applied(IDENTITY, 20, 10);

        ParallelPlan plan = ParallelPlan.of(batch, Map.of("dc-a", applied), "dc-b", from -> from + 1).orElseThrow();

        assertThat(plan.groups()).extracting(g -> g.expected().get("dc-a").position()).containsExactly(20L, 20L, 20L, 30L);
    }

    @Test
    void aBatchThatBreaksItsChainIsNotPlannedForSeveralWriters() {
        List<SourceTransaction> batch = new ArrayList<>(chain(10, 20));
        batch.add(at(40, 30));

        Optional<ParallelPlan> plan = ParallelPlan.of(batch, Map.of(), "dc-b", from -> from + 1);

        assertThat(plan).isEmpty();
    }

    @Test
    void groupsWaitForTheEarlierGroupThatWritesTheSameKey() {
        List<SourceTransaction> batch = List.of(at(10, -1, "1"), at(20, 10, "2"), at(30, 20, "1"), at(40, 30, "3"));

        ParallelPlan plan = ParallelPlan.of(batch, Map.of(), "dc-b", from -> from + 1).orElseThrow();

        assertThat(plan.groups()).extracting(ParallelPlan.Group::startAfter)
                .containsExactly(KeySetScheduler.NONE, KeySetScheduler.NONE, 0, KeySetScheduler.NONE);
    }

    private static List<SourceTransaction> chain(long... positions) {
        List<SourceTransaction> batch = new ArrayList<>();
        long previous = ChainLink.NONE;
        for (long position : positions) {
            batch.add(at(position, previous));
            previous = position;
        }
        return batch;
    }

    private static SourceTransaction at(long position, long previous) {
        return at(position, previous, Long.toString(position));
    }

    private static SourceTransaction at(long position, long previous, String key) {
        return new SourceTransaction("dc-a", position, 0, position, List.of("dc-a"),
                List.of(KeySetSchedulerTest.update("public.item", key))).withChain(new ChainLink(IDENTITY, previous));
    }
}
