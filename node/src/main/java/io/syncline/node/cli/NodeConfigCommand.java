package io.syncline.node.cli;

import io.syncline.core.config.NodeConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * A command that works with one node's config ({@code -c}): loads it, and on a config with problems
 * prints them (file, line, column) and exits 1 before {@link #run} is called.
 */
abstract class NodeConfigCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, description = "The node's YAML config file.")
    Path configFile;

    @Override
    public final Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        NodeConfig config = ConfigFiles.load(configFile, err);
        if (config == null) {
            return 1;
        }
        return run(config, spec.commandLine().getOut(), err);
    }

    /** The command's work on a valid config; returns the exit status. */
    abstract int run(NodeConfig config, PrintWriter out, PrintWriter err) throws Exception;
}
