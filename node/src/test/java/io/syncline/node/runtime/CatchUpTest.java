package io.syncline.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatchUpTest {

    private static final long SECOND = 1_000_000_000L;

    private final Map<String, LinkStatus> links = new HashMap<>();

    @Test
    void doneOnlyOnceEveryUpstreamIsReadToItsTargetWhileStreaming() {
        CatchUp catchUp = new CatchUp(Map.of("dc-a", 100L, "dc-b", 10L));
        assertThat(catchUp.check(links::get, 0).describe()).isEqualTo("110 record(s) left to read (dc-a not read yet, dc-b not read yet)");

        link("dc-a", LinkStatus.State.STREAMING, 100);
        link("dc-b", LinkStatus.State.GAP, 10);
        CatchUp.Progress gap = catchUp.check(links::get, SECOND);
        assertThat(gap.done()).as("a link in GAP is not caught up, wherever it stopped").isFalse();
        assertThat(gap.waitingFor()).isEqualTo("dc-b GAP");

        link("dc-b", LinkStatus.State.STREAMING, 12);
        assertThat(catchUp.check(links::get, 2 * SECOND).done()).isTrue();
    }

    @Test
    void estimatesTheTimeLeftFromTheRateTheRecordsLeftShrink() {
        CatchUp catchUp = new CatchUp(Map.of("dc-a", 1000L));
        link("dc-a", LinkStatus.State.STREAMING, 0);
        assertThat(catchUp.check(links::get, 0).estimate()).as("no rate yet").isNull();
        link("dc-a", LinkStatus.State.STREAMING, 250);
        CatchUp.Progress progress = catchUp.check(links::get, 5 * SECOND);
        assertThat(progress.recordsLeft()).isEqualTo(750);
        assertThat(progress.estimate()).isEqualTo(Duration.ofSeconds(15));
        assertThat(progress.describe()).isEqualTo("750 record(s) left to read (dc-a 750), about 15 s");
    }

    private void link(String upstream, LinkStatus.State state, long nextOffset) {
        LinkStatus status = links.computeIfAbsent(upstream, LinkStatus::new);
        status.state(state, state == LinkStatus.State.STREAMING ? null : "test");
        status.nextOffset(nextOffset);
    }
}
