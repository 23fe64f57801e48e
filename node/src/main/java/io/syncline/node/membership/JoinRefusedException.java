package io.syncline.node.membership;

/** {@code syncline join} cannot go on; the message says why and what to do. Nothing was copied after the refusal. */
public final class JoinRefusedException extends RuntimeException {

    public JoinRefusedException(String message) {
        super(message);
    }
}
