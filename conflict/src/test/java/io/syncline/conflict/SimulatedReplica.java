package io.syncline.conflict;

import io.syncline.core.event.ColumnDot;
import io.syncline.core.event.HybridLogicalClock;
import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowMetadata;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.VersionVector;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One node's database in memory: local writes stamped the way the row triggers of
 * {@code table.sql} stamp them (HLC, version vector, delta contributions, column dots), and remote
 * changes applied through {@link RowDecider} the way {@link ApplySession} executes its plans. Not
 * thread-safe.
 */
final class SimulatedReplica {

    static final String TABLE = "public.t";
    static final String KEY_COLUMN = "id";

    final String node;
    private final RowDecider decider;
    private final Map<String, String> columnTypes;
    private final Set<String> deltaColumns;
    private final boolean columnDots;
    private final long clockSkewMillis;
    final Map<String, LocalState> rows = new TreeMap<>();
    int conflicts;

    SimulatedReplica(String node, RowDecider decider, Map<String, String> columnTypes, Set<String> deltaColumns,
            boolean columnDots, long clockSkewMillis) {
        this.node = node;
        this.decider = decider;
        this.columnTypes = columnTypes;
        this.deltaColumns = deltaColumns;
        this.columnDots = columnDots;
        this.clockSkewMillis = clockSkewMillis;
    }

    LocalState state(String key) {
        return rows.getOrDefault(key, LocalState.NONE);
    }

    /**
     * A local insert (when the key has no row) or update: {@code changes} are the new values of the
     * columns written; the trigger's rules make the version and metadata.
     */
    RowChange write(String key, Map<String, String> changes, long nowMillis) {
        LocalState previous = state(key);
        boolean sameRow = previous.kind() == LocalState.Kind.ROW;
        RowVersion before = previous.kind() == LocalState.Kind.NONE ? RowVersion.INITIAL : previous.version();
        long hlc = HybridLogicalClock.next(nowMillis + clockSkewMillis, before.clock().hlc());
        VersionVector vector = before.vector().increment(node);
        RowVersion version = new RowVersion(new RowClock(hlc, node), vector);

        Map<String, String> values = new LinkedHashMap<>();
        values.put(KEY_COLUMN, key);
        for (String column : columnTypes.keySet()) {
            if (!column.equals(KEY_COLUMN)) {
                values.put(column, sameRow ? previous.values().get(column) : null);
            }
        }
        values.putAll(changes);

        Map<String, Map<String, BigDecimal>> counters = new TreeMap<>();
        for (String column : deltaColumns) {
            Map<String, BigDecimal> shares = new TreeMap<>(sameRow ? previous.metadata().countersOf(column) : Map.of());
            BigDecimal oldValue = sameRow ? number(previous.values().get(column)) : BigDecimal.ZERO;
            shares.merge(node, number(values.get(column)).subtract(oldValue), BigDecimal::add);
            shares.putIfAbsent(node, BigDecimal.ZERO);
            counters.put(column, shares);
        }
        Map<String, ColumnDot> dots = new TreeMap<>();
        if (columnDots) {
            ColumnDot dot = new ColumnDot(node, vector.counterOf(node), hlc);
            if (sameRow) {
                dots.putAll(previous.metadata().columnDots());
            }
            for (Map.Entry<String, String> column : values.entrySet()) {
                if (!sameRow || !Objects.equals(column.getValue(), previous.values().get(column.getKey()))) {
                    dots.put(column.getKey(), dot);
                }
            }
        }
        RowMetadata metadata = new RowMetadata(counters, dots);
        rows.put(key, LocalState.row(version, values, metadata));
        return new RowChange(TABLE, sameRow ? Operation.UPDATE : Operation.INSERT, Map.of(KEY_COLUMN, key), null, values,
                Set.of(), version, metadata);
    }

    /** A local delete; the key must have a row. */
    RowChange delete(String key, long nowMillis) {
        LocalState previous = state(key);
        long hlc = HybridLogicalClock.next(nowMillis + clockSkewMillis, previous.version().clock().hlc());
        RowVersion version = new RowVersion(new RowClock(hlc, node), previous.version().vector().increment(node));
        rows.put(key, LocalState.tombstone(version));
        return new RowChange(TABLE, Operation.DELETE, Map.of(KEY_COLUMN, key), null, Map.of(), Set.of(), version);
    }

    /** Applies a remote change as the applier would. */
    RowPlan apply(RowChange change, String originNode) {
        String key = change.key().get(KEY_COLUMN);
        LocalState local = state(key);
        RowPlan plan = decider.decide(TABLE, columnTypes, change.key(), local, change, originNode);
        if (plan.isConflict()) {
            conflicts++;
        }
        switch (plan.action()) {
            case SKIP -> { }
            case UPSERT_ROW -> {
                Map<String, String> values = new LinkedHashMap<>();
                if (plan.values() != null) {
                    values.putAll(plan.values());
                } else {
                    if (local.kind() == LocalState.Kind.ROW) {
                        values.putAll(local.values());
                    }
                    values.putAll(change.values());
                }
                rows.put(key, new LocalState(LocalState.Kind.ROW, plan.version(), values, plan.metadata(), plan.frontier()));
            }
            case DELETE_ROW, WRITE_TOMBSTONE -> rows.put(key, new LocalState(LocalState.Kind.TOMBSTONE, plan.version(), null,
                    RowMetadata.EMPTY, plan.frontier()));
            case KEEP_LOCAL -> rows.put(key, new LocalState(local.kind(), plan.version(), local.values(),
                    local.kind() == LocalState.Kind.ROW ? plan.metadata() : RowMetadata.EMPTY, plan.frontier()));
        }
        return plan;
    }

    private static BigDecimal number(String text) {
        return text == null ? BigDecimal.ZERO : new BigDecimal(text);
    }
}
