package io.syncline.core.config;

/**
 * How this node applies its peers' changes ({@code apply:}).
 *
 * @param writers how many database sessions of each link apply the target transactions of a batch
 *     side by side; at least 1 (docs/performance.md)
 */
public record ApplySettings(int writers) {

    /** More writers than this gained nothing measurable: each link has one reader and one planner. */
    public static final int MAX_DEFAULT_WRITERS = 4;

    public ApplySettings {
        if (writers < 1) {
            throw new IllegalArgumentException("writers must be at least 1: " + writers);
        }
    }

    /** The default for this machine: one writer per core, one on a machine of one core, at most {@value #MAX_DEFAULT_WRITERS}. */
    public static int defaultWriters() {
        return Math.max(1, Math.min(MAX_DEFAULT_WRITERS, Runtime.getRuntime().availableProcessors()));
    }

    public static ApplySettings defaults() {
        return new ApplySettings(defaultWriters());
    }
}
