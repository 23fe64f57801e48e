package io.syncline.connector.internal;

/** Why the capture does not publish a transaction whose END it saw. */
enum DropReason {
    /** Debezium sent its END without its BEGIN or any change: nothing to publish. */
    NO_CHANGE_EVENTS("no change events seen"),
    /** Committed under a replication origin: an applier's (or init's) work, which its origin already published. */
    WRITTEN_BY_APPLIER("written by the applier"),
    /** It changed no replicated table. */
    NO_REPLICATED_ROWS("no replicated rows");

    private final String description;

    DropReason(String description) {
        this.description = description;
    }

    String description() {
        return description;
    }
}
