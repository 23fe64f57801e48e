package io.syncline.conflict;

/**
 * A custom resolver threw, or returned a decision the applier cannot store. The applier parks
 * the remote change in {@code syncline.dead_letter} with this message and goes on.
 */
public final class ResolverFailedException extends RuntimeException {

    public ResolverFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
