package io.syncline.node.cli;

import io.syncline.core.config.ConfigReference;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code syncline config-reference}: prints the node file's key reference (Markdown) or its JSON
 * Schema, both generated from the loader's setting definitions, or brings the copies shipped in
 * {@code deploy/examples} up to date with {@code --update}.
 *
 * <p>Exit status: 0 on success, 1 if the files cannot be updated, 2 for usage errors.
 */
@Command(
        name = "config-reference",
        mixinStandardHelpOptions = true,
        description = "Prints every key of the node configuration file (Markdown table), or its JSON Schema.",
        exitCodeOnInvalidInput = CommandLine.ExitCode.USAGE)
public final class ConfigReferenceCommand implements Callable<Integer> {

    static final int FAILED = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--schema", description = "Print the JSON Schema (draft 2020-12) instead of the key table.")
    boolean schema;

    @Option(names = "--update", paramLabel = "DIR", description = "Rewrite the key table in DIR/" + ConfigReference.README_FILE
            + " (between its key reference markers) and DIR/" + ConfigReference.SCHEMA_FILE + ", e.g. deploy/examples.")
    Path update;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (update == null) {
            out.print(schema ? ConfigReference.jsonSchema() : ConfigReference.keyTable());
            out.flush();
            return CommandLine.ExitCode.OK;
        }
        try {
            List<Path> changed = ConfigReference.update(update);
            out.println(changed.isEmpty() ? "up to date: " + update : "updated: " + changed);
            out.flush();
            return CommandLine.ExitCode.OK;
        } catch (IOException | IllegalArgumentException e) {
            err.println("cannot update " + update + ": " + e.getMessage());
            err.flush();
            return FAILED;
        }
    }
}
