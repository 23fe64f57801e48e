package io.syncline.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.node.cli.SynclineCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One {@code syncline} command run in this JVM as a user runs it, with its standard output
 * captured (and echoed, with the time it took, for the test report).
 *
 * @param status the exit status
 * @param output everything the command printed to standard output
 */
public record CliRun(int status, String output) {

    public static CliRun of(String... args) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int status;
        long startedAt = System.nanoTime();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            status = SynclineCli.run(args);
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        System.out.printf("[timing] syncline %s took %d ms%n", String.join(" ", args), (System.nanoTime() - startedAt) / 1_000_000);
        return new CliRun(status, output);
    }

    /** The last non-blank line of the output, parsed as JSON (what {@code --json} prints). */
    public JsonNode lastLineJson() {
        List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
        if (lines.isEmpty()) {
            throw new AssertionError("the command printed nothing; exit status " + status);
        }
        try {
            return new ObjectMapper().readTree(lines.get(lines.size() - 1));
        } catch (IOException e) {
            throw new UncheckedIOException("the last line is not JSON: " + lines.get(lines.size() - 1), e);
        }
    }
}
