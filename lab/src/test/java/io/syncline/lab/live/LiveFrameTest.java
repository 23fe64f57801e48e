package io.syncline.lab.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveFrameTest {

    @Test
    void timedPhaseShowsABarAndEveryDatacenterARow() {
        List<String> lines = LiveFrame.lines("syncline demo", List.of(), "writing", Duration.ofSeconds(5), Duration.ofSeconds(20), List.of(
                new LiveFrame.Row("dc-a", 1200, 2380, 45, 12, "2 streaming"),
                new LiveFrame.Row("dc-b", 1190, 2401, 1250, 9, "1 retrying, 1 streaming")));

        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo("syncline demo");
        assertThat(lines.get(1)).isEqualTo("  writing  [######..................] 5/20 s");
        assertThat(lines.get(2)).contains("DC", "WRITTEN", "APPLIED", "LAG p99 (5 s)", "CONFLICTS", "LINKS");
        assertThat(lines.get(3)).contains("dc-a", "1,200", "2,380", "45 ms", "12", "2 streaming");
        assertThat(lines.get(4)).contains("dc-b", "1,250 ms", "1 retrying, 1 streaming");
    }

    @Test
    void openEndedPhaseShowsItsElapsedTimeAndNoTableBeforeTheNodesRun() {
        List<String> lines = LiveFrame.lines("syncline demo", List.of(), "starting PostgreSQL and Kafka", Duration.ofMillis(3400), null,
                List.of());

        assertThat(lines).containsExactly("syncline demo", "  starting PostgreSQL and Kafka  3 s");
    }

    @Test
    void finishedStepsStandAboveTheCurrentPhase() {
        assertThat(LiveFrame.lines("syncline bench", List.of("native updates: 151,000 rows/s"), "[2/8] native inserts",
                Duration.ofSeconds(4), null, List.of()))
                .containsExactly("syncline bench", "  native updates: 151,000 rows/s", "  [2/8] native inserts  4 s");
    }

    @Test
    void barIsFullWhenThePhaseRunsOverItsPlan() {
        assertThat(LiveFrame.lines("t", List.of(), "writing", Duration.ofSeconds(25), Duration.ofSeconds(20), List.of()).get(1))
                .isEqualTo("  writing  [########################] 25/20 s");
    }
}
