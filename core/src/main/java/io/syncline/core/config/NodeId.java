package io.syncline.core.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one rule for node ids. The config loader checks {@code node.id}, {@code topology.nodes},
 * {@code peers[].id} and every other id with it, and components that take an id without the
 * loader (the capture) check the same rule here, so an id is never valid in one place and
 * refused in another. Stateless and thread-safe.
 */
public final class NodeId {

    /**
     * Ids name Kafka topics and, with {@code -} written as {@code _}, PostgreSQL replication slots,
     * publications and replication origins; slot names take only lower-case letters, digits and
     * {@code _} (PostgreSQL docs, "Replication Slots"), and {@code syncline_} plus 32 characters
     * stays within PostgreSQL's 63-byte names.
     */
    public static final Pattern PATTERN = Pattern.compile("[a-z0-9-]{1,32}");

    /** What a valid id looks like, completing "expected ...". */
    public static final String EXPECTED = "a node id of 1 to 32 characters a-z, 0-9 and -";

    private NodeId() {}

    public static boolean isValid(String id) {
        return id != null && PATTERN.matcher(id).matches();
    }

    /** Why {@code id} is refused, or empty if it is a valid id. */
    public static Optional<String> problem(String id) {
        return isValid(id) ? Optional.empty() : Optional.of("'" + id + "' is invalid; expected " + EXPECTED);
    }
}
