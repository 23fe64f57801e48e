package io.syncline.node.runtime;

/** Another process is the active node for this node id: its lease on the node's database is taken. */
public final class LeaseHeldException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    LeaseHeldException(String message) {
        super(message);
    }
}
