package io.syncline.core.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A position in a configuration file.
 *
 * @param file the configuration file as it was given to the loader; never null
 * @param line 1-based line
 * @param column 1-based column
 */
public record ConfigLocation(Path file, int line, int column) {

    public ConfigLocation {
        Objects.requireNonNull(file, "file");
        if (line < 1 || column < 1) {
            throw new IllegalArgumentException("line and column are 1-based: " + line + ":" + column);
        }
    }

    /** {@code file:line:column}, the form editors and terminals turn into links. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
