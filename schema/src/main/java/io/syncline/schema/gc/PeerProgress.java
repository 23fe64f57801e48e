package io.syncline.schema.gc;

/**
 * A peer's latest progress report.
 *
 * @param peer     the peer's node id
 * @param applied  how far the peer has applied each origin (its own writes excluded)
 * @param stable   positions up to which every delete the peer holds a tombstone for is stable at the
 *                 peer (every node applied past it), its own entry included
 * @param awaiting whether the peer waits for the others' progress to collect tombstones
 */
public record PeerProgress(String peer, Positions applied, Positions stable, boolean awaiting) {}
