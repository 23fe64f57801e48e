package io.syncline.apply.internal;

import java.util.Set;

/**
 * Whether a value of a column typed one way at the origin is written here without loss. Types are
 * compared as {@link io.syncline.core.event.RowChange#columnType} spells them: the PostgreSQL type
 * name with the length and scale pgjdbc derives from the type modifier, the same derivation on both
 * sides (Debezium's at the origin, {@link TableShape}'s here). Stateless.
 *
 * <p>A value cast to another type, or to a shorter length or another scale, may change or fail:
 * {@code numeric(10,2)} into {@code numeric(10,1)} rounds, {@code timestamptz} into {@code timestamp}
 * drops the offset, {@code varchar(20)} into {@code varchar(10)} fails or, with an explicit cast,
 * truncates. Only widening within one type is accepted. Types outside the built-in scalar types
 * below (arrays, enums, domains, composite types) are not compared.
 */
final class ColumnTypes {

    /** Built-in types whose names and modifiers are compared. */
    private static final Set<String> COMPARED = Set.of("INT2", "INT4", "INT8", "FLOAT4", "FLOAT8", "NUMERIC", "TEXT", "VARCHAR",
            "BPCHAR", "BOOL", "DATE", "TIME", "TIMETZ", "TIMESTAMP", "TIMESTAMPTZ", "INTERVAL", "UUID", "JSON", "JSONB", "BYTEA",
            "BIT", "VARBIT");
    /** Types whose modifier matters; of the others only the name is compared. */
    private static final Set<String> MODIFIED = Set.of("NUMERIC", "VARCHAR", "BPCHAR", "BIT", "VARBIT", "TIME", "TIMETZ",
            "TIMESTAMP", "TIMESTAMPTZ", "INTERVAL");
    /** Types whose length is a maximum: a longer one here takes every value. */
    private static final Set<String> LENGTH_IS_A_BOUND = Set.of("VARCHAR", "VARBIT");
    /** Types whose length is the fractional digits of seconds: more here keep every value. */
    private static final Set<String> PRECISION_IS_A_BOUND = Set.of("TIME", "TIMETZ", "TIMESTAMP", "TIMESTAMPTZ", "INTERVAL");

    private ColumnTypes() {}

    /**
     * Why a value of type {@code source} at the origin would not be written here exactly, or
     * {@code null} when it would (or when the types are not compared).
     *
     * @param local              the column's type here, spelled alike
     * @param localUnconstrained whether the column here has no type modifier ({@code varchar}, {@code numeric})
     */
    static String lossyReason(String source, String local, boolean localUnconstrained) {
        if (source.equals(local)) {
            return null;
        }
        Spec from = Spec.parse(source);
        Spec to = Spec.parse(local);
        if (from == null || to == null || !COMPARED.contains(from.name) || !COMPARED.contains(to.name)) {
            return null;
        }
        if (!from.name.equals(to.name)) {
            return "another type";
        }
        if (!MODIFIED.contains(to.name)) {
            return null;
        }
        if (localUnconstrained && (LENGTH_IS_A_BOUND.contains(to.name) || PRECISION_IS_A_BOUND.contains(to.name)
                || to.name.equals("NUMERIC"))) {
            return null;
        }
        if (LENGTH_IS_A_BOUND.contains(to.name) || PRECISION_IS_A_BOUND.contains(to.name)) {
            return to.length >= from.length ? null : "narrower here";
        }
        if (to.name.equals("NUMERIC")) {
            // pgjdbc gives an unconstrained numeric precision 0; a constrained one here cannot hold all its values.
            if (from.length <= 0) {
                return "unconstrained at the origin, constrained here";
            }
            if (to.scale != from.scale) {
                return "another scale";
            }
            return to.length - to.scale >= from.length - from.scale ? null : "fewer integer digits here";
        }
        // char(n), bit(n): another length pads or cuts.
        return to.length == from.length ? null : "another length";
    }

    /**
     * The first column of {@code change} whose origin type would not be written exactly into
     * {@code table}, as the failure to report, or {@code null}. Columns the origin sent no type for,
     * and columns this table lacks (reported apart), are not compared.
     */
    static LocalSchemaMismatch firstMismatch(TableShape table, io.syncline.core.event.RowChange change) {
        for (java.util.Map.Entry<String, String> column : change.columnTypes().entrySet()) {
            TableShape.SourceSpelling local = table.sourceSpelling(column.getKey());
            if (local == null) {
                continue;
            }
            String reason = lossyReason(column.getValue(), local.spec(), local.unconstrained());
            if (reason != null) {
                String localType = table.column(column.getKey()).type();
                return new LocalSchemaMismatch(table.name(), column.getKey(), column.getValue(), localType,
                        "column " + column.getKey() + " of " + table.name() + " is " + column.getValue() + " at the origin and "
                        + localType + " (" + local.spec() + ") on this node, " + reason + ": a cast could change or lose"
                        + " values; give the column the same type on every node");
            }
        }
        return null;
    }

    /** {@code NAME(length,scale)}. */
    private record Spec(String name, int length, int scale) {
        static Spec parse(String spec) {
            int open = spec.lastIndexOf('(');
            int comma = spec.lastIndexOf(',');
            if (open < 1 || comma < open || !spec.endsWith(")")) {
                return null;
            }
            try {
                return new Spec(spec.substring(0, open), Integer.parseInt(spec.substring(open + 1, comma)),
                        Integer.parseInt(spec.substring(comma + 1, spec.length() - 1)));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
