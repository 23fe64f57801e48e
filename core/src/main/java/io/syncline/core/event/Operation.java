package io.syncline.core.event;

/** The kind of a row change. A primary-key change is an {@link #UPDATE} with an old key. */
public enum Operation {
    INSERT,
    UPDATE,
    DELETE
}
