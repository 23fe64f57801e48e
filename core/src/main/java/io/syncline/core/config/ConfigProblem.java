package io.syncline.core.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One thing wrong (or, as a warning, doubtful) in a configuration file.
 *
 * @param file the configuration file; never null
 * @param line 1-based line of the offending value or key
 * @param column 1-based column of the offending value or key
 * @param fieldPath the setting, e.g. {@code topology.hub} or {@code peers[1].kafka.bootstrap-servers};
 *     empty for problems of the file as a whole (unreadable, YAML syntax)
 * @param message what is wrong and what would be right, e.g.
 *     {@code "unknown node 'dc-x'; expected one of dc-a, dc-b, dc-c"}
 */
public record ConfigProblem(Path file, int line, int column, String fieldPath, String message) {

    public ConfigProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(fieldPath, "fieldPath");
        Objects.requireNonNull(message, "message");
    }

    /** A problem at {@code location}. */
    public static ConfigProblem at(ConfigLocation location, String fieldPath, String message) {
        return new ConfigProblem(location.file(), location.line(), location.column(), fieldPath, message);
    }

    /** Where the problem is. */
    public ConfigLocation location() {
        return new ConfigLocation(file, line, column);
    }

    /** {@code file:line:column: field.path: message} (the field part left out when there is none). */
    public String format() {
        String prefix = file + ":" + line + ":" + column + ": ";
        return fieldPath.isEmpty() ? prefix + message : prefix + fieldPath + ": " + message;
    }

    @Override
    public String toString() {
        return format();
    }
}
