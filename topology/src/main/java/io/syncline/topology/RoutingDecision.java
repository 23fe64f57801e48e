package io.syncline.topology;

/**
 * What a node does with a transaction it read from an upstream outbox.
 *
 * @param apply   write it into the local database
 * @param forward publish it, unchanged but for the longer path, to the local outbox for the
 *                downstream nodes that would not get it otherwise
 * @param reason  why, for logs and status
 */
public record RoutingDecision(boolean apply, boolean forward, String reason) {}
