package io.syncline.lab.env.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs external commands to completion. Stateless and thread-safe. */
final class Commands {

    private Commands() {}

    /**
     * Runs {@code command} in {@code workDir} with its output captured in {@code outputFile}
     * (never in a pipe: a server started by {@code pg_ctl} would inherit the pipe and keep it open).
     *
     * @throws IllegalStateException when it exits non-zero or outlives {@code timeout}; the
     *     message holds the command and the tail of its output
     */
    static void run(List<String> command, Path workDir, Path outputFile, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(outputFile.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + String.join(" ", command), e);
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("Timed out after " + timeout.toSeconds() + " s: "
                        + String.join(" ", command) + "\n" + tail(outputFile, 20));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("Interrupted while running " + String.join(" ", command), e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("Exit status " + process.exitValue() + " from "
                    + String.join(" ", command) + "\n" + tail(outputFile, 20));
        }
    }

    /** The last {@code lines} lines of a text file, or a note saying why there are none. */
    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
