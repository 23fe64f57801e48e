package io.syncline.core.spi;

/**
 * A user-supplied conflict resolution strategy, selected in the node's YAML with
 * {@code policy: custom} and {@code resolver: <fully qualified class name>}.
 *
 * <p>The node finds the class on its class path at start. An implementation must be a public,
 * concrete class with a public no-argument constructor; the configuration loader refuses the
 * file otherwise, so a typo in the class name stops the node before it applies anything.
 *
 * <p>Resolution must be deterministic: every node resolves the same conflict on its own and
 * all of them must reach the same result (see DESIGN.md, "Resolution is deterministic").
 * The resolution method itself is defined together with the conflict engine.
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
}
