package io.syncline.it.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * {@code syncline run} of one node in its own JVM, with this JVM's class path; output goes to a
 * log file. {@link #kill()} is SIGKILL: no shutdown hook, no flush, like a machine losing power.
 */
public final class NodeProcess {

    /** What {@code syncline run} logs once the capture streams and the links run. */
    private static final String RUNNING_LINE = "running: capture streaming";

    private final String node;
    private final Process process;
    private final Path logFile;
    private final long logStart;

    private NodeProcess(String node, Process process, Path logFile, long logStart) {
        this.node = node;
        this.process = process;
        this.logFile = logFile;
        this.logStart = logStart;
    }

    static NodeProcess start(String node, Path config, Path dataDirectory, Path logFile, String... runOptions) {
        return start(node, config, dataDirectory, logFile, List.of(), runOptions);
    }

    /** @param jvmOptions options for the node's JVM after the defaults, which they override (a later -Xmx wins) */
    static NodeProcess start(String node, Path config, Path dataDirectory, Path logFile, List<String> jvmOptions,
            String... runOptions) {
        List<String> arguments = new ArrayList<>(List.of("run", "--config", config.toString(),
                "--data-dir", dataDirectory.toString(), "--status-interval", "1s"));
        arguments.addAll(List.of(runOptions));
        return command(node, logFile, jvmOptions, arguments);
    }

    /** Any {@code syncline} command in its own JVM (e.g. a {@code join} to kill in the middle); {@code name} labels it. */
    static NodeProcess command(String name, Path logFile, List<String> jvmOptions, List<String> arguments) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java,
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Duser.timezone=US/Samoa"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.syncline.node.cli.SynclineCli"));
        command.addAll(arguments);
        String node = name;
        try {
            Files.createDirectories(logFile.getParent());
            long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            // A node process must not outlive the test JVM (it would retry its lost Kafka forever).
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "kill-node-" + node));
            return new NodeProcess(node, process, logFile, logStart);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the node process of " + node, e);
        }
    }

    public String node() {
        return node;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until the node logged that it runs; fails early, with its log, if the process exits. */
    void awaitRunning(Duration timeout) {
        try {
            await("node process " + node + " running").atMost(timeout).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException(node + " exited with " + process.exitValue() + ":\n" + log());
                        }
                        return log().contains(RUNNING_LINE);
                    });
        } catch (ConditionTimeoutException e) {
            kill();
            throw new IllegalStateException(node + " did not start within " + timeout + ":\n" + log(), e);
        }
    }

    /** Waits until this run's log contains {@code text}; fails, with the log, if the process exits first. */
    public void awaitLogged(String text, Duration timeout) {
        try {
            await(node + " logging '" + text + "'").atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> {
                if (log().contains(text)) {
                    return true;
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException(node + " exited with " + process.exitValue() + ":\n" + log());
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(node + " did not log '" + text + "' within " + timeout + ":\n" + log(), e);
        }
    }

    /** Waits until the process exits by itself; its exit status. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(node + " (pid " + process.pid() + ") still runs after " + timeout + ":\n" + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return process.exitValue();
    }

    /** SIGKILL, then waits until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("node process " + node + " (pid " + process.pid() + ") survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What one link of the process last reported in its periodic status line, counted since the process started. */
    public record LinkCounts(long appliedTransactions, long appliedRows, long duplicateTransactions) {}

    private static final Pattern STATUS_LINE = Pattern.compile(
            "\\[(\\S+) <- (\\S+)\\] \\S+ (?:\\([^)]*\\) )?applied (\\d+) txn\\(s\\) (\\d+) row\\(s\\), (\\d+) duplicate\\(s\\)");

    /** The last status line of the link from {@code upstream} in this run's log, if one was logged yet. */
    public Optional<LinkCounts> lastLinkStatus(String upstream) {
        LinkCounts last = null;
        Matcher matcher = STATUS_LINE.matcher(log());
        while (matcher.find()) {
            if (matcher.group(1).equals(node) && matcher.group(2).equals(upstream)) {
                last = new LinkCounts(Long.parseLong(matcher.group(3)), Long.parseLong(matcher.group(4)),
                        Long.parseLong(matcher.group(5)));
            }
        }
        return Optional.ofNullable(last);
    }

    /** What this run of the process logged so far. */
    public String log() {
        try {
            String all = Files.readString(logFile);
            return all.substring((int) Math.min(logStart, all.length()));
        } catch (IOException e) {
            return "(log " + logFile + " unreadable: " + e + ")";
        }
    }

    @Override
    public String toString() {
        return "NodeProcess[" + node + ", pid " + process.pid() + (process.isAlive() ? ", alive" : ", exited") + "]";
    }
}
