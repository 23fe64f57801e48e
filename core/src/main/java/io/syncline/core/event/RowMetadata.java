package io.syncline.core.event;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Per-row merge metadata beyond the {@link RowVersion}, kept only for tables whose conflict
 * policy needs it (row trigger at the origin, the applier for applied rows).
 *
 * <ul>
 *   <li>{@code counters}: for each {@code delta} column, each node's cumulative contribution
 *       (the sum of new minus old over that node's writes of the row), the state of a PN-counter
 *       CRDT (Shapiro et al., "A comprehensive study of CRDTs", 2011). Concurrent versions merge
 *       node by node, so every increment counts exactly once, whatever the delivery order.
 *   <li>{@code columnDots}: for {@code column-merge} tables, the {@link ColumnDot} of the write
 *       that last changed each column.
 * </ul>
 *
 * Immutable; maps are sorted by name so that equal metadata encodes to equal bytes.
 *
 * @param counters   column -> node -> contribution; empty when the table has no delta columns
 * @param columnDots column -> last writer; empty when the table is not merged column by column
 */
public record RowMetadata(Map<String, Map<String, BigDecimal>> counters, Map<String, ColumnDot> columnDots) {

    public static final RowMetadata EMPTY = new RowMetadata(Map.of(), Map.of());

    public RowMetadata {
        Objects.requireNonNull(counters, "counters");
        Objects.requireNonNull(columnDots, "columnDots");
        TreeMap<String, Map<String, BigDecimal>> sortedCounters = new TreeMap<>();
        counters.forEach((column, shares) -> sortedCounters.put(column, Collections.unmodifiableMap(new TreeMap<>(shares))));
        counters = Collections.unmodifiableMap(sortedCounters);
        columnDots = Collections.unmodifiableMap(new TreeMap<>(columnDots));
    }

    public boolean isEmpty() {
        return counters.isEmpty() && columnDots.isEmpty();
    }

    /** The contributions to {@code column}, node -> amount; empty if none are recorded. */
    public Map<String, BigDecimal> countersOf(String column) {
        return counters.getOrDefault(column, Map.of());
    }
}
