package io.syncline.node.cli;

import io.syncline.core.config.ConfigException;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.NodeConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Path;

/** Loading a node's config for a command that prints its problems and exits. Stateless. */
final class ConfigFiles {

    private ConfigFiles() {}

    /** The loaded config, or {@code null} after printing every problem to {@code err}. */
    static NodeConfig load(Path file, PrintWriter err) {
        try {
            return NodeConfigLoader.load(file);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return null;
        }
    }
}
