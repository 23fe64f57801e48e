package io.syncline.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.syncline.lab.bench.BenchPhase;
import io.syncline.node.cli.SynclineCli;
import org.junit.jupiter.api.Test;

class BenchCommandTest {

    @Test
    void lagPhasesRunWithTwoDatacentersAndWithTheRequestedNumber() {
        assertThat(BenchCommand.lagNodeCounts(2)).containsExactly(2);
        assertThat(BenchCommand.lagNodeCounts(3)).containsExactly(2, 3);
        assertThat(BenchCommand.lagNodeCounts(5)).containsExactly(2, 5);
    }

    @Test
    void nodeCountOutsideTwoToTwentySixIsRefused() {
        assertThatThrownBy(() -> BenchCommand.lagNodeCounts(1)).hasMessage("--nodes must be between 2 and 26, not 1");
        assertThatThrownBy(() -> BenchCommand.lagNodeCounts(27)).hasMessageContaining("not 27");
    }

    @Test
    void topologyIsOneTheBenchCanBuild() {
        assertThat(BenchCommand.lagTopology("ring")).isEqualTo("ring");
        assertThat(BenchCommand.lagTopology("star")).isEqualTo("star");
        assertThatThrownBy(() -> BenchCommand.lagTopology("edges")).hasMessage("--topology must be all-to-all, ring or star, not edges");
        assertThatThrownBy(() -> BenchCommand.lagTopology("mesh")).hasMessageContaining("not mesh");
    }

    @Test
    void badNodeCountMakesTheCommandFail() {
        assertThat(SynclineCli.run("bench", "--nodes", "1")).isEqualTo(1);
    }

    @Test
    void phasesAreSelectedByNameAndAllSelectsEveryOne() {
        assertThat(BenchPhase.parse("hot_rows")).containsExactly(BenchPhase.HOT_ROWS);
        assertThat(BenchPhase.parse("lag, hot_rows")).containsExactlyInAnyOrder(BenchPhase.LAG, BenchPhase.HOT_ROWS);
        assertThat(BenchPhase.parse("all")).containsExactlyInAnyOrder(BenchPhase.values());
        assertThatThrownBy(() -> BenchPhase.parse("hot-rows"))
                .hasMessage("--phases takes backlogs, apply_only, lag, app, hot_rows, join or all, not hot-rows");
    }
}
