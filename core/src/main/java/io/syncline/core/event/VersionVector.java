package io.syncline.core.event;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A version vector (node id -> number of writes of that node this row version has seen), the
 * happens-before test of DDIA chapter 5: version A happened before version B when B's vector
 * is at least A's for every node and greater for one; two versions neither of which happened
 * before the other are concurrent, i.e. a conflict. Immutable; entries are kept sorted by node
 * id so that equal vectors encode to equal bytes.
 */
public final class VersionVector {

    /** How two versions relate causally. */
    public enum Order {
        EQUAL,
        /** This version happened before the other: the other supersedes it. */
        BEFORE,
        /** This version happened after the other: it supersedes the other. */
        AFTER,
        CONCURRENT
    }

    public static final VersionVector EMPTY = new VersionVector(new TreeMap<>());

    private final TreeMap<String, Long> counters;

    private VersionVector(TreeMap<String, Long> counters) {
        this.counters = counters;
    }

    /** A vector with the given counters; zero counters are dropped. */
    public static VersionVector of(Map<String, Long> counters) {
        TreeMap<String, Long> copy = new TreeMap<>();
        counters.forEach((node, counter) -> {
            if (counter < 0) {
                throw new IllegalArgumentException("negative counter for " + node + ": " + counter);
            }
            if (counter > 0) {
                copy.put(node, counter);
            }
        });
        return copy.isEmpty() ? EMPTY : new VersionVector(copy);
    }

    public long counterOf(String nodeId) {
        return counters.getOrDefault(nodeId, 0L);
    }

    /** Unmodifiable view, sorted by node id. */
    public Map<String, Long> counters() {
        return Collections.unmodifiableMap(counters);
    }

    /** This vector after one more write by {@code nodeId}. */
    public VersionVector increment(String nodeId) {
        TreeMap<String, Long> copy = new TreeMap<>(counters);
        copy.merge(nodeId, 1L, Long::sum);
        return new VersionVector(copy);
    }

    /** The entry-wise maximum: the vector of a version that has seen both. */
    public VersionVector merge(VersionVector other) {
        TreeMap<String, Long> copy = new TreeMap<>(counters);
        other.counters.forEach((node, counter) -> copy.merge(node, counter, Math::max));
        return new VersionVector(copy);
    }

    public Order compareTo(VersionVector other) {
        boolean someGreater = false;
        boolean someSmaller = false;
        TreeMap<String, Long> union = new TreeMap<>(counters);
        union.putAll(other.counters);
        for (String node : union.keySet()) {
            long mine = counterOf(node);
            long theirs = other.counterOf(node);
            someGreater |= mine > theirs;
            someSmaller |= mine < theirs;
        }
        if (someGreater && someSmaller) {
            return Order.CONCURRENT;
        }
        if (someGreater) {
            return Order.AFTER;
        }
        return someSmaller ? Order.BEFORE : Order.EQUAL;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionVector other && counters.equals(other.counters);
    }

    @Override
    public int hashCode() {
        return counters.hashCode();
    }

    @Override
    public String toString() {
        return counters.toString();
    }
}
