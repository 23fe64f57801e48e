package io.syncline.core.config;

/**
 * What the applier does with a remote source transaction that the local database refuses for
 * good (a unique index on a non-key column, a check constraint, a foreign key, a NOT NULL, a value
 * out of range: SQLSTATE classes 22 and 23), per table ({@code tables[i].on-error} in the YAML).
 */
public enum OnError {
    /**
     * Write the whole source transaction to {@code syncline.dead_letter} with the database's error,
     * advance past it and go on with the next one; {@code syncline conflicts retry} applies it again
     * once the cause is fixed. The default.
     */
    PARK("park"),
    /** Stop the link in FAILED at that transaction; it resumes there when the node restarts. */
    STOP("stop");

    private final String configName;

    OnError(String configName) {
        this.configName = configName;
    }

    /** The spelling in the YAML file. */
    public String configName() {
        return configName;
    }
}
