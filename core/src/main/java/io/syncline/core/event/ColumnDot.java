package io.syncline.core.event;

import java.util.Comparator;
import java.util.Objects;

/**
 * The write that last changed one column of a row: the writing node, that node's version-vector
 * counter after the write (a "dot", as in dotted version vectors, Preguiça et al. 2010), and the
 * write's hybrid logical clock. A version whose vector has {@code vector[node] >= counter} has
 * seen the column's value; otherwise the column was changed concurrently. Used by the
 * {@code column-merge} policy to tell which side of a conflict changed which columns.
 *
 * @param node    the writing node
 * @param counter its counter in the row's version vector after that write, at least 1
 * @param hlc     the write's {@link HybridLogicalClock} value
 */
public record ColumnDot(String node, long counter, long hlc) implements Comparable<ColumnDot> {

    private static final Comparator<ColumnDot> ORDER = Comparator.comparingLong(ColumnDot::hlc)
            .thenComparing(ColumnDot::node)
            .thenComparingLong(ColumnDot::counter);

    public ColumnDot {
        Objects.requireNonNull(node, "node");
    }

    /** Whether a version with {@code vector} has seen this write. */
    public boolean seenBy(VersionVector vector) {
        return vector.counterOf(node) >= counter;
    }

    /** A total order (clock, node, counter), for deterministic choices between two dots. */
    @Override
    public int compareTo(ColumnDot other) {
        return ORDER.compare(this, other);
    }
}
