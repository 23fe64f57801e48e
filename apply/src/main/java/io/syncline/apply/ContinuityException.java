package io.syncline.apply;

/**
 * An origin's transactions do not continue what this node applied of that origin (a gap, another
 * identity, a chain that went back or restarted; see {@code docs/continuity.md}). What came before
 * the breaking transaction is committed, nothing from it on; the link must stop until an operator
 * re-synchronised the data and accepted the new chain. The message names the origin, the expected
 * and the found position, and what to do.
 */
public final class ContinuityException extends ApplyException {

    private final long expectedPrevious;
    private final long foundPrevious;

    public ContinuityException(String message, String originNode, long originPosition, long expectedPrevious, long foundPrevious) {
        super(message, originNode, originPosition, null, null);
        this.expectedPrevious = expectedPrevious;
        this.foundPrevious = foundPrevious;
    }

    /** The last position of the origin applied here, which the breaking transaction should have followed; -1 for none. */
    public long expectedPrevious() {
        return expectedPrevious;
    }

    /** The previous position the breaking transaction names; -1 for none. */
    public long foundPrevious() {
        return foundPrevious;
    }
}
