package io.syncline.core.spi;

/**
 * A user-supplied conflict resolution strategy, selected in the node's YAML with
 * {@code policy: custom} and {@code resolver: <fully qualified class name>}, for a table or a
 * single column.
 *
 * <p>The node finds the class on its class path at start and makes one instance of it, shared by
 * every table or column rule that names it. An implementation must be a public, concrete class with a public
 * no-argument constructor; the configuration loader refuses the file otherwise, so a typo in the
 * class name stops the node before it applies anything.
 *
 * <p><b>Determinism.</b> Every node resolves the same conflict on its own, with the two sides
 * swapped ({@link RowConflict#mirrored}), and all must reach the same row: the result must depend
 * only on the two {@link RowState}s (values, versions, metadata), never on which one is local,
 * on the node, on time or on randomness. {@link Resolution#keepLocal()} and
 * {@link Resolution#takeRemote()} are therefore only deterministic when chosen by a symmetric
 * rule (for example "the side with the greater clock"); a {@link Resolution#merged merged} row
 * computed symmetrically from both sides always is (see docs/protocol.md, "Row versions").
 *
 * <p><b>Failures.</b> If {@link #resolve} throws, or returns a row the database refuses (unknown
 * column, a key that is not the conflict's key, a value of the wrong type, a violated constraint),
 * the applier parks the remote change in {@code syncline.dead_letter} with the error, applies the
 * rest of the transaction, and counts it; {@code syncline conflicts retry} applies parked changes
 * again after the resolver is fixed. Nothing is lost and replication does not stop.
 *
 * <p><b>Threads.</b> Called on the applier threads (one per upstream link), possibly concurrently
 * for different rows: implementations must be thread-safe, should be stateless, and must not block
 * (they run inside the applier's database transaction).
 */
public interface ConflictResolver {

    /**
     * A stable, human-readable name of this strategy, written to the conflict log with every
     * conflict it resolved. Never null.
     *
     * @return the fully qualified class name unless the implementation overrides it
     */
    default String name() {
        return getClass().getName();
    }

    /**
     * Resolves one conflict.
     *
     * @param conflict the two concurrent versions; never null
     * @return the decision; never null
     */
    Resolution resolve(RowConflict conflict);
}
