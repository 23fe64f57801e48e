package io.syncline.core.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link ConflictResolver} decided for one conflict.
 *
 * <p>Whatever is decided, the applier stores with it a version that has seen both sides (the
 * entry-wise maximum of the two version vectors, and the greater of the two clocks), so a later
 * write on any node supersedes the resolved row.
 *
 * @param kind   the decision
 * @param values for {@link Kind#MERGED}: the row to store, column -> PostgreSQL text (SQL NULL as a
 *               {@code null} value). Columns left out keep the local value (or, when the local side
 *               is a tombstone, the remote value); key columns, if given, must equal the key.
 *               {@code null} for the other kinds.
 */
public record Resolution(Kind kind, Map<String, String> values) {

    public enum Kind {
        /** The local side stays as it is (a row or a tombstone). */
        KEEP_LOCAL,
        /** The remote side replaces it (its values, or its delete). */
        TAKE_REMOTE,
        /** A row merged from both sides, given by {@link #values()}. */
        MERGED,
        /** The row is deleted on both sides. */
        DELETE
    }

    private static final Resolution KEEP_LOCAL = new Resolution(Kind.KEEP_LOCAL, null);
    private static final Resolution TAKE_REMOTE = new Resolution(Kind.TAKE_REMOTE, null);
    private static final Resolution DELETE = new Resolution(Kind.DELETE, null);

    public Resolution {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.MERGED) != (values != null)) {
            throw new IllegalArgumentException("values are given exactly for a merged row: " + kind);
        }
        values = values == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Resolution keepLocal() {
        return KEEP_LOCAL;
    }

    public static Resolution takeRemote() {
        return TAKE_REMOTE;
    }

    public static Resolution delete() {
        return DELETE;
    }

    /** A merged row; {@code values} may hold SQL NULLs as {@code null}. */
    public static Resolution merged(Map<String, String> values) {
        return new Resolution(Kind.MERGED, Objects.requireNonNull(values, "values"));
    }
}
