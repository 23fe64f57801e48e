package io.syncline.core.config;

import java.util.Objects;

/**
 * A directed link: {@code to} reads the changes that {@code from} has (its own and those it forwards).
 *
 * @param from node id of the writer; never null
 * @param to node id of the reader; never null, different from {@code from}
 */
public record Edge(String from, String to) {

    public Edge {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (from.equals(to)) {
            throw new IllegalArgumentException("an edge needs two different nodes: " + from);
        }
    }

    @Override
    public String toString() {
        return from + " -> " + to;
    }
}
