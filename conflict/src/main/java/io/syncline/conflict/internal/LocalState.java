package io.syncline.conflict.internal;

import io.syncline.core.event.RowVersion;
import java.util.Map;
import java.util.Objects;

/**
 * What the local database holds for one key, read under a row lock: the row, else its
 * tombstone, else nothing.
 *
 * @param version {@code null} for {@link Kind#NONE}
 * @param values  the row's columns as text for {@link Kind#ROW}, otherwise {@code null}
 */
public record LocalState(Kind kind, RowVersion version, Map<String, String> values) {

    public enum Kind {
        NONE,
        ROW,
        TOMBSTONE
    }

    public static final LocalState NONE = new LocalState(Kind.NONE, null, null);

    public LocalState {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.NONE) != (version == null)) {
            throw new IllegalArgumentException("a " + kind + " state " + (version == null ? "needs" : "has no") + " a version");
        }
    }

    public static LocalState row(RowVersion version, Map<String, String> values) {
        return new LocalState(Kind.ROW, version, values);
    }

    public static LocalState tombstone(RowVersion version) {
        return new LocalState(Kind.TOMBSTONE, version, null);
    }
}
