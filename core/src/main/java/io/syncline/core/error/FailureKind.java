package io.syncline.core.error;

/** What to do about a failure, wherever it happens: capture, apply or forwarding. */
public enum FailureKind {
    /** The same work succeeds later: back off visibly and do it again, losing and skipping nothing. */
    RETRIABLE,
    /** Doing it again fails the same way: stop where it is, say why and what to do. */
    PERMANENT
}
