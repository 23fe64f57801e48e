package io.syncline.conflict;

import java.util.Locale;

/**
 * The kind of a write conflict, named local side first: what the local database holds (a row,
 * or a tombstone left by a delete) and what the concurrent remote change does. The two nodes of
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
    DELETE_DELETE;

    /** The value of {@code syncline.conflict_log.conflict_type}, e.g. {@code update_delete}. */
    public String logName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
