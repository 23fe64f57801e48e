package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code syncline demo} as a person at a terminal sees it: run under {@code script}, which gives
 * it a pseudo-terminal, it shows a live view and the summary, and its logs go to a file it names.
 */
class DemoLiveViewIT {

    private static final Path SCRIPT = Path.of("/usr/bin/script");
    private static final Pattern LOG_FILE = Pattern.compile("\\(logs: (\\S+)\\)");

    @TempDir
    Path dir;

    @Test
    void demoOnATerminalShowsALiveViewAndTheSummaryWithItsLogsInAFile() throws Exception {
        assumeTrue(Files.isExecutable(SCRIPT), "util-linux's script is needed to give the demo a terminal: " + SCRIPT);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String demo = String.join(" ", "'" + java + "'", "-cp", "'" + System.getProperty("java.class.path") + "'",
                "io.syncline.node.cli.SynclineCli", "demo", "--nodes", "2", "--duration", "5s");
        Path output = dir.resolve("terminal.txt");
        Process process = new ProcessBuilder(SCRIPT.toString(), "-qec", demo, "/dev/null")
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("the demo ended within 5 minutes").isTrue();
        String screen = Files.readString(output, StandardCharsets.UTF_8);
        System.out.println(screen);

        assertThat(process.exitValue()).as("exit status; screen:%n%s", screen).isZero();
        assertThat(screen).contains("writing  [", "WRITTEN", "APPLIED", "LAG p99", "CONFLICTS", "dc-a", "dc-b",
                "CONVERGED: 2 nodes");
        assertThat(screen).as("log lines on the terminal").doesNotContain(" INFO ");
        Matcher logFile = LOG_FILE.matcher(screen);
        assertThat(logFile.find()).as("the view names its log file").isTrue();
        Path log = Path.of(logFile.group(1));
        assertThat(Files.readString(log)).as("the log file %s", log).contains(" INFO ", "running: capture streaming");
        Files.deleteIfExists(log);
    }
}
