package io.syncline.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Disjoint key ranges for sequence-generated primary keys: with N nodes, node i (0-based) draws
 * only values congruent to i + 1 modulo N (increment N), so inserts at different nodes never
 * collide on a serial key. Without it every node's sequence yields 1, 2, 3, ... and concurrent
 * inserts become insert/insert conflicts on the same keys, one of the rows being lost to the
 * policy.
 *
 * <p>Covers the sequences PostgreSQL knows a key column owns ({@code serial}, {@code bigserial},
 * identity columns: {@code pg_get_serial_sequence}); a key defaulting to {@code nextval} of a
 * sequence the column does not own is not found. Stateless; the caller owns the connection.
 */
public final class SequenceRanges {

    /** A sequence feeding a primary-key column of a replicated table. */
    public record KeySequence(String table, String column, String sequence, long increment, long lastValue) {

        /** Whether the sequence already yields only values of {@code node}'s range. */
        public boolean disjointFor(int nodeIndex, int nodeCount) {
            return increment == nodeCount && Math.floorMod(lastValue - (nodeIndex + 1), nodeCount) == 0;
        }
    }

    private SequenceRanges() {}

    /** The sequences that feed primary-key columns of {@code tables} (schema-qualified names). */
    public static List<KeySequence> find(Connection connection, List<String> tables) throws SQLException {
        List<KeySequence> found = new ArrayList<>();
        String sql = """
                SELECT a.attname, pg_get_serial_sequence(?, a.attname)
                  FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                 WHERE i.indisprimary AND i.indrelid = ?::regclass
                   AND pg_get_serial_sequence(?, a.attname) IS NOT NULL""";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (String table : tables) {
                statement.setString(1, table);
                statement.setString(2, table);
                statement.setString(3, table);
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        found.add(read(connection, table, rs.getString(1), rs.getString(2)));
                    }
                }
            }
        }
        return found;
    }

    private static KeySequence read(Connection connection, String table, String column, String sequence) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(
                "SELECT s.seqincrement, coalesce(p.last_value, s.seqstart - s.seqincrement) FROM pg_sequence s"
                        + " JOIN pg_sequences p ON pg_catalog.format('%I.%I', p.schemaname, p.sequencename)::regclass = s.seqrelid"
                        + " WHERE s.seqrelid = '" + sequence.replace("'", "''") + "'::regclass")) {
            rs.next();
            return new KeySequence(table, column, sequence, rs.getLong(1), rs.getLong(2));
        }
    }

    /**
     * Makes {@code sequence} yield node {@code nodeIndex}'s range from above its last value:
     * increment {@code nodeCount}, next value the smallest one of the range that is greater than
     * every value it gave so far. Idempotent.
     *
     * @return the next value the sequence yields
     */
    public static long assign(Connection connection, KeySequence sequence, int nodeIndex, int nodeCount) throws SQLException {
        if (nodeIndex < 0 || nodeIndex >= nodeCount) {
            throw new IllegalArgumentException("node index " + nodeIndex + " of " + nodeCount);
        }
        long floor = Math.max(sequence.lastValue() + 1, 1);
        long next = floor + Math.floorMod(nodeIndex + 1 - floor, nodeCount);
        try (Statement statement = connection.createStatement()) {
            statement.execute("ALTER SEQUENCE " + sequence.sequence() + " INCREMENT BY " + nodeCount + " MINVALUE 1 START WITH " + next
                    + " RESTART WITH " + next);
        }
        return next;
    }
}
