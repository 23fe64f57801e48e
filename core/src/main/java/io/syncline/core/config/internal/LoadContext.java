package io.syncline.core.config.internal;

import io.syncline.core.config.ConfigLocation;
import io.syncline.core.config.ConfigProblem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/**
 * State of loading one file: the problems found so far and where every setting was seen,
 * so that checks running after the walk still point at a line. Not thread-safe; one per load.
 */
final class LoadContext {

    private static final Comparator<ConfigProblem> FILE_ORDER =
            Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column);

    private final Path file;
    private final Path baseDirectory;
    private final ClassLoader classLoader;
    private final List<ConfigProblem> errors = new ArrayList<>();
    private final List<ConfigProblem> warnings = new ArrayList<>();
    private final Map<String, ConfigLocation> valueLocations = new HashMap<>();
    private final Map<String, ConfigLocation> keyLocations = new HashMap<>();
    private boolean plaintextSecretsAllowed;

    LoadContext(Path file, ClassLoader classLoader) {
        this.file = file;
        Path parent = file.toAbsolutePath().getParent();
        this.baseDirectory = parent == null ? Path.of("") : parent;
        this.classLoader = classLoader;
    }

    Path file() {
        return file;
    }

    /** Directory against which relative paths in the file (secret files, truststores) are resolved. */
    Path baseDirectory() {
        return baseDirectory;
    }

    /** Where custom conflict resolver classes are looked up. */
    ClassLoader classLoader() {
        return classLoader;
    }

    boolean plaintextSecretsAllowed() {
        return plaintextSecretsAllowed;
    }

    void allowPlaintextSecrets(boolean allowed) {
        this.plaintextSecretsAllowed = allowed;
    }

    /** The position of {@code node}'s first character. */
    ConfigLocation locate(Node node) {
        return locate(node.getStartMark());
    }

    ConfigLocation locate(Mark mark) {
        // SnakeYAML marks are 0-based; editors count from 1.
        return mark == null ? start() : new ConfigLocation(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    ConfigLocation start() {
        return new ConfigLocation(file, 1, 1);
    }

    /** Records where the setting {@code path} was written; {@code keyNode} is null for list items. */
    void remember(String path, Node keyNode, Node valueNode) {
        valueLocations.putIfAbsent(path, locate(valueNode));
        if (keyNode != null) {
            keyLocations.putIfAbsent(path, locate(keyNode));
        }
    }

    /** Where the value of {@code path} is, or else of the nearest enclosing setting that was seen. */
    ConfigLocation locationOf(String path) {
        for (String p = path; ; p = FieldPaths.parent(p)) {
            ConfigLocation at = valueLocations.get(p);
            if (at != null) {
                return at;
            }
            if (p.isEmpty()) {
                return start();
            }
        }
    }

    /** Where the key of {@code path} is, if it was written as a key. */
    Optional<ConfigLocation> keyLocationOf(String path) {
        return Optional.ofNullable(keyLocations.get(path));
    }

    void error(Node at, String path, String message) {
        error(locate(at), path, message);
    }

    void error(ConfigLocation at, String path, String message) {
        errors.add(ConfigProblem.at(at, path, message));
    }

    /** An error at the value of {@code path} (see {@link #locationOf}). */
    void error(String path, String message) {
        error(locationOf(path), path, message);
    }

    void warn(Node at, String path, String message) {
        warnings.add(ConfigProblem.at(locate(at), path, message));
    }

    void warn(String path, String message) {
        warnings.add(ConfigProblem.at(locationOf(path), path, message));
    }

    int errorCount() {
        return errors.size();
    }

    List<ConfigProblem> errors() {
        return errors.stream().sorted(FILE_ORDER).toList();
    }

    List<ConfigProblem> warnings() {
        return warnings.stream().sorted(FILE_ORDER).toList();
    }
}
