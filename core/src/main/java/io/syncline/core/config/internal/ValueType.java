package io.syncline.core.config.internal;

import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Converts and validates one YAML value, from a single scalar up to a whole section.
 *
 * @param <T> the model type
 */
interface ValueType<T> {

    /**
     * Converts {@code node}, the value of the setting {@code path}.
     *
     * @return the value, or empty after recording at least one problem in {@code ctx}
     */
    Optional<T> read(Node node, String path, LoadContext ctx);

    /** What a valid value looks like, completing "expected ...", e.g. {@code "an integer from 1 to 1024"}. */
    String expected();
}
