package io.syncline.core.config.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Converts and validates one YAML value, from a single scalar up to a whole section, and
 * describes itself for the key reference and the JSON Schema generated from the definitions
 * ({@link KeyReference}).
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

    /**
     * This type as a JSON Schema (draft 2020-12) object, a fresh mutable map: the value's form, so
     * that an editor completes keys and marks wrong ones. Checks across keys stay the loader's.
     */
    Map<String, Object> schema();

    /** What a valid value looks like in the key reference; shorter than {@link #expected()} for mappings. */
    default String summary() {
        return expected();
    }

    /**
     * {@code value} as the file writes it (a string, number, boolean or list), to document a
     * default; empty if it has no short spelling, as a whole section has not.
     */
    default Optional<Object> written(T value) {
        return Optional.empty();
    }

    /** The settings inside a value of this type (a mapping's keys); none for a scalar. */
    default List<Setting<?>> settings() {
        return List.of();
    }

    /**
     * Where {@link #settings()} sit below this value's own path in the key reference: {@code ""}
     * for a mapping, {@code "[]"} for a list of mappings.
     */
    default String settingsPath() {
        return "";
    }
}
