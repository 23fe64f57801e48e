package io.syncline.core.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration was refused. Carries every problem that was found, not only the first,
 * so that one run shows the user everything to fix.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    /**
     * @param problems at least one problem, in file order
     */
    public ConfigException(List<ConfigProblem> problems) {
        super(format(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** The problems, in file order; never empty. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String format(List<ConfigProblem> problems) {
        return problems.stream().map(ConfigProblem::format).collect(Collectors.joining("\n"));
    }
}
