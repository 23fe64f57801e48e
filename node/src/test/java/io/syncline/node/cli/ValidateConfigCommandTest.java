package io.syncline.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateConfigCommandTest {

    private static final Path RING_DC_A = Path.of("../deploy/examples/ring/dc-a.yaml");

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeEach
    void captureOutput() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOutput() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void validFileIsSummarisedAndExitsZero() {
        int status = SynclineCli.run("validate-config", RING_DC_A.toString());

        assertThat(status).isZero();
        assertThat(out()).isEqualTo("OK " + RING_DC_A + " (node dc-a, ring of 3 nodes, 2 tables)" + System.lineSeparator());
        assertThat(err()).isEmpty();
    }

    @Test
    void brokenFileListsItsProblemsWithLineNumbersAndExitsOne() throws Exception {
        String broken = Files.readString(RING_DC_A).replace("  kind: ring", "  kind: star");
        Path file = Files.writeString(dir.resolve("broken.yaml"), broken);
        int kindLine = broken.lines().toList().indexOf("  kind: star") + 1;

        int status = SynclineCli.run("validate-config", RING_DC_A.toString(), file.toString());

        assertThat(status).isEqualTo(1);
        assertThat(out()).startsWith("OK " + RING_DC_A);
        assertThat(err()).contains("INVALID " + file + " (1 problem)")
                .contains("  " + file + ":" + kindLine + ":9: topology.hub: missing; a star topology needs a hub");
    }

    @Test
    void missingFileArgumentIsAUsageError() {
        assertThat(SynclineCli.run("validate-config")).isEqualTo(2);
        assertThat(err()).contains("Missing required parameter");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertThat(SynclineCli.run("validate-config", "--databse", RING_DC_A.toString())).isEqualTo(2);
    }
}
