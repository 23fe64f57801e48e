package io.syncline.core.config;

import java.util.Arrays;
import java.util.Optional;

/**
 * How a conflict between concurrent writes to one row (or one column) is resolved
 * ({@code policy} in the YAML). Every policy is deterministic, so all nodes reach the same
 * result on their own.
 */
public enum ConflictPolicy {
    /** Last writer wins, ordered by (hybrid logical clock, origin id). The default. */
    LWW("lww", true),
    /** The write of the origin ranked higher in {@code origin-priority} wins. */
    ORIGIN_PRIORITY("origin-priority", true),
    /** The version already in this node's database wins. */
    KEEP_LOCAL("keep-local", true),
    /** The incoming version wins. */
    KEEP_REMOTE("keep-remote", true),
    /** The larger value wins (numeric or timestamp columns). */
    MAX("max", true),
    /** The smaller value wins (numeric or timestamp columns). */
    MIN("min", true),
    /** Counters: each write's change (new minus old) is added, like a CRDT counter. */
    DELTA("delta", true),
    /**
     * Concurrent updates of different columns both survive; a column written by both sides
     * falls back to that column's rule, else LWW. Only meaningful for a whole row, so refused per column.
     */
    COLUMN_MERGE("column-merge", false),
    /** A class implementing {@code io.syncline.core.spi.ConflictResolver}, named by {@code resolver}. */
    CUSTOM("custom", true);

    private final String configName;
    private final boolean allowedPerColumn;

    ConflictPolicy(String configName, boolean allowedPerColumn) {
        this.configName = configName;
        this.allowedPerColumn = allowedPerColumn;
    }

    /** The spelling in the YAML file, e.g. {@code origin-priority}. */
    public String configName() {
        return configName;
    }

    /** Whether the policy may be given for a single column in {@code conflict.columns}. */
    public boolean allowedPerColumn() {
        return allowedPerColumn;
    }

    /** Whether the policy needs (and alone allows) an {@code origin-priority} ranking. */
    public boolean needsOriginPriority() {
        return this == ORIGIN_PRIORITY;
    }

    /** Whether the policy needs (and alone allows) a {@code resolver} class. */
    public boolean needsResolver() {
        return this == CUSTOM;
    }

    /** The policy spelled {@code name} in YAML, if any. */
    public static Optional<ConflictPolicy> fromConfigName(String name) {
        return Arrays.stream(values()).filter(p -> p.configName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return configName;
    }
}
