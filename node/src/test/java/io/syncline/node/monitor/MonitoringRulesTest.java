package io.syncline.node.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The alert rules in deploy/monitoring pass their unit tests under {@code promtool} (Debian's
 * {@code prometheus} package; skipped, with a message, where it is not installed).
 */
class MonitoringRulesTest {

    private static final Path MONITORING = Path.of("../deploy/monitoring");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    @Test
    void alertRulesAreValid() throws Exception {
        assertThat(promtool("check", "rules", "syncline-alerts.yml")).contains("SUCCESS: 12 rules found");
    }

    @Test
    void alertRulesPassTheirUnitTests() throws Exception {
        assertThat(promtool("test", "rules", "syncline-alerts.test.yml")).contains("SUCCESS");
    }

    private static String promtool(String... args) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(PROMTOOL),
                "!!! SKIPPED: " + PROMTOOL + " is missing; install Debian's prometheus package to test the alert rules !!!");
        String[] command = new String[args.length + 1];
        command[0] = PROMTOOL.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).directory(MONITORING.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        assertThat(process.exitValue()).as("promtool %s:%n%s", String.join(" ", args), output).isZero();
        return output;
    }
}
