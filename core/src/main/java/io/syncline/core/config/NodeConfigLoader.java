package io.syncline.core.config;

import io.syncline.core.config.internal.ConfigFileReader;
import java.nio.file.Path;

/**
 * Loads and validates a node's YAML configuration file.
 *
 * <p>Everything that can be checked from the file alone is checked: syntax, unknown keys,
 * types, required settings, node ids, the topology graph, peers, conflict policies and
 * custom resolver classes. Every problem is collected first, then the load fails once with
 * all of them, each with file, line, column and setting. Secrets are not read (see
 * {@link Secret}); checks against the live database are {@link ConfigValidator}'s.
 *
 * <p>Stateless and thread-safe.
 */
public final class NodeConfigLoader {

    private NodeConfigLoader() {}

    /**
     * Loads {@code file}, looking custom conflict resolver classes up in the thread's context
     * class loader (or this class's, if there is none).
     *
     * @return the validated config; its {@link NodeConfig#warnings()} hold doubtful settings
     * @throws ConfigException listing every problem, in file order
     */
    public static NodeConfig load(Path file) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return load(file, loader != null ? loader : NodeConfigLoader.class.getClassLoader());
    }

    /**
     * As {@link #load(Path)}, looking custom conflict resolver classes up in {@code resolverClassLoader}.
     */
    public static NodeConfig load(Path file, ClassLoader resolverClassLoader) {
        return ConfigFileReader.read(file, resolverClassLoader);
    }
}
