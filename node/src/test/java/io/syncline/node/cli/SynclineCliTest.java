package io.syncline.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SynclineCliTest {

    @Test
    void theRuntimeAloneHasNoLabCommands() {
        assertThat(SynclineCli.commandLine().getSubcommands()).containsKey("run").doesNotContainKeys("demo", "bench");
    }

    @Test
    void aLabCommandWithoutTheLabSaysWhereToRunIt() {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(SynclineCli.run("demo")).isEqualTo(2);
        } finally {
            System.setErr(original);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("part of the lab").contains("./syncline demo");
    }
}
