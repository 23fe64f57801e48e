package io.syncline.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.syncline.node.cli.DurationConverter;
import io.syncline.node.cli.SynclineCli;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

    private static DemoCommand parse(String... args) {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs(args);
        return demo;
    }

    @Test
    void defaultsToTwoNodesAllToAllForTwentySeconds() {
        DemoCommand demo = parse();
        assertThat(demo.nodes).isEqualTo(2);
        assertThat(demo.topology).isEqualTo("all-to-all");
        assertThat(demo.duration).isEqualTo(Duration.ofSeconds(20));
        assertThat(demo.json).isFalse();
    }

    @Test
    void readsNodesDurationAndJson() {
        DemoCommand demo = parse("--nodes", "3", "--duration", "30s", "--json");
        assertThat(demo.nodes).isEqualTo(3);
        assertThat(demo.duration).isEqualTo(Duration.ofSeconds(30));
        assertThat(demo.json).isTrue();
    }

    @Test
    void durationAcceptsUnitsBareSecondsAndIso() {
        DurationConverter converter = new DurationConverter();
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(converter.convert("45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(converter.convert("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void badDurationIsAUsageError() {
        assertThatThrownBy(() -> parse("--duration", "soon"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("not a duration");
        assertThatThrownBy(() -> parse("--duration", "-PT5S"))
                .isInstanceOf(CommandLine.ParameterException.class);
    }

    @Test
    void datacentersAreNamedAlphabetically() {
        assertThat(DemoCommand.datacenterNames(3)).containsExactly("dc-a", "dc-b", "dc-c");
        assertThatThrownBy(() -> DemoCommand.datacenterNames(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DemoCommand.datacenterNames(27)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void outOfRangeNodesExitsWithFailureWithoutStartingAnything() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int status = new CommandLine(new DemoCommand(new java.io.PrintStream(out, true)))
                .execute("--nodes", "0", "--json");
        assertThat(status).isEqualTo(1);
        assertThat(out.toString()).contains("\"healthy\":false").contains("between 1 and 26");
    }

    @Test
    void demoIsASubcommandOfSyncline() {
        assertThat(SynclineCli.commandLine().getSubcommands()).containsKey("demo");
    }
}
