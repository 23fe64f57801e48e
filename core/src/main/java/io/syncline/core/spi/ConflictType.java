package io.syncline.core.spi;

import java.util.Locale;

/**
 * The kind of a write conflict, named local side first: what the local database holds (a row,
 * a tombstone left by a delete, or nothing) and what the remote change does. The two nodes of
 * one conflict therefore log mirror-image types, e.g. {@link #UPDATE_DELETE} on the node that
 * kept a row and {@link #DELETE_UPDATE} on the node that had deleted it.
 */
public enum ConflictType {
    /** A local row and a concurrent remote insert of the same key. */
    INSERT_INSERT,
    /** A local row and a concurrent remote update. */
    UPDATE_UPDATE,
    /** A local row and a concurrent remote delete. */
    UPDATE_DELETE,
    /** A local tombstone and a concurrent remote insert or update. */
    DELETE_UPDATE,
    /** A local tombstone and a concurrent remote delete. */
    DELETE_DELETE,
    /**
     * No local row and no tombstone, and a remote update: the update arrived before the insert it
     * follows (over another path). The update is applied as the row; the insert, when it comes, is
     * recognised as older and skipped.
     */
    UPDATE_MISSING,
    /**
     * A remote primary-key change (the old key deleted, the row inserted under the new key) whose
     * old key holds a local version the change did not see: a key change racing a local write.
     */
    KEY_CHANGE;

    /** The value of {@code syncline.conflict_log.conflict_type}, e.g. {@code update_delete}. */
    public String logName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether both sides hold a row, so that values can be merged. */
    public boolean bothRows() {
        return this == INSERT_INSERT || this == UPDATE_UPDATE;
    }
}
