package io.syncline.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;

/**
 * A test-only trigger on {@code syncline.applied_position} that records every move of an origin's
 * applied position ({@code it_audit.position_advances}: origin, from, to, the target transaction),
 * and the check that the moves of one origin form one chain: each starts where the last ended and
 * moves forward. A position applied twice, skipped back or committed out of order breaks the chain.
 * Tests add triggers of their own on their tables into the same schema {@code it_audit}.
 */
public final class AppliedPositionAudit {

    private AppliedPositionAudit() {}

    /** Creates the schema {@code it_audit} and the trigger in {@code node}'s database. */
    public static void install(DcCluster cluster, String node) throws SQLException {
        cluster.execute(node,
                "CREATE SCHEMA IF NOT EXISTS it_audit",
                "CREATE TABLE it_audit.position_advances (seq bigserial PRIMARY KEY,"
                        + " target_xid xid8 NOT NULL DEFAULT pg_current_xact_id(), origin_node text NOT NULL,"
                        + " from_position bigint NOT NULL, to_position bigint NOT NULL)",
                """
                CREATE FUNCTION it_audit.position_advance() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO it_audit.position_advances (origin_node, from_position, to_position)
                    VALUES (NEW.origin_node, OLD.position, NEW.position);
                    RETURN NULL;
                END $$""",
                "CREATE TRIGGER it_audit AFTER UPDATE ON syncline.applied_position FOR EACH ROW"
                        + " EXECUTE FUNCTION it_audit.position_advance()");
    }

    /** What the chain of one origin's position moves at a node came to. */
    public record Chain(long moves, long last) {}

    /**
     * Asserts that {@code origin}'s applied position at {@code node} moved as one chain from its start (-1), each
     * move in its own place, and that no other origin's position moved there.
     */
    public static Chain assertOneChain(DcCluster cluster, String node, String origin) throws SQLException {
        List<List<String>> advances = cluster.queryRows(node, "SELECT origin_node, from_position, to_position"
                + " FROM it_audit.position_advances ORDER BY seq");
        assertThat(advances).as("applied position updates on %s", node).isNotEmpty()
                .allSatisfy(row -> assertThat(row.get(0)).isEqualTo(origin));
        long previous = -1;
        for (List<String> advance : advances) {
            long from = Long.parseLong(advance.get(1));
            long to = Long.parseLong(advance.get(2));
            assertThat(from).as("an update of %s's applied position on %s starts where the last ended", origin, node)
                    .isEqualTo(previous);
            assertThat(to).as("an update of %s's applied position on %s moves forward", origin, node).isGreaterThan(from);
            previous = to;
        }
        return new Chain(advances.size(), previous);
    }
}
