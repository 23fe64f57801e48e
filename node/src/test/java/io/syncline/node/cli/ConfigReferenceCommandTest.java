package io.syncline.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.config.ConfigReference;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigReferenceCommandTest {

    private static final Path EXAMPLES_README = Path.of("../deploy/examples/README.md");

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = SynclineCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void printsTheKeyTableOrTheSchema() {
        assertThat(run("config-reference")).isZero();
        assertThat(out.toString()).isEqualTo(ConfigReference.keyTable());

        out.getBuffer().setLength(0);
        assertThat(run("config-reference", "--schema")).isZero();
        assertThat(out.toString()).isEqualTo(ConfigReference.jsonSchema());
    }

    @Test
    void updateRewritesAStaleTableAndSchemaAndKeepsTheRestOfTheReadme() throws Exception {
        String readme = Files.readString(EXAMPLES_README, StandardCharsets.UTF_8);
        String stale = readme.replace("| `node.id` |", "| `node.identifier` |");
        Files.writeString(dir.resolve(ConfigReference.README_FILE), stale, StandardCharsets.UTF_8);

        assertThat(run("config-reference", "--update", dir.toString())).isZero();

        assertThat(Files.readString(dir.resolve(ConfigReference.README_FILE), StandardCharsets.UTF_8)).isEqualTo(readme);
        assertThat(Files.readString(dir.resolve(ConfigReference.SCHEMA_FILE), StandardCharsets.UTF_8))
                .isEqualTo(ConfigReference.jsonSchema());
        out.getBuffer().setLength(0);
        assertThat(run("config-reference", "--update", dir.toString())).isZero();
        assertThat(out.toString()).startsWith("up to date: ");
    }

    @Test
    void updateOfAReadmeWithoutMarkersFailsAndLeavesItAlone() throws Exception {
        Files.writeString(dir.resolve(ConfigReference.README_FILE), "# Examples\n", StandardCharsets.UTF_8);

        assertThat(run("config-reference", "--update", dir.toString())).isEqualTo(ConfigReferenceCommand.FAILED);

        assertThat(err.toString()).contains("markers");
        assertThat(Files.readString(dir.resolve(ConfigReference.README_FILE), StandardCharsets.UTF_8)).isEqualTo("# Examples\n");
    }
}
