package io.syncline.node.membership;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A table's {@code BEFORE} (and {@code INSTEAD OF}) row triggers on {@code INSERT} that do not
 * fire in a session with {@code session_replication_role = replica}, set aside for a chunk's
 * {@code COPY} and put back, unchanged, in the same transaction. PostgreSQL's {@code COPY FROM}
 * inserts row by row when the table has such a trigger, whether or not it fires, and in batches of
 * up to 1,000 rows without one (src/backend/commands/copyfrom.c, {@code CIM_SINGLE}; disabling the
 * trigger does not change it): Syncline's stamp trigger cost the join's copy about a third of its
 * time and a quarter more WAL. pg_restore gets the same by creating triggers after the data.
 *
 * <p>Only triggers that would not fire are set aside (enabled as {@code ORIGIN}, the default, or
 * disabled; those enabled {@code REPLICA} or {@code ALWAYS} fire in the copy and stay), and only on
 * a table that is not partitioned or a partition, that the role owns, and whose trigger functions
 * the role may call, so that dropping and creating them again succeeds. The drop holds the table
 * {@code ACCESS EXCLUSIVE} until the chunk commits; other sessions never see the table without its
 * triggers, and a chunk that fails rolls back with them in place. Immutable.
 */
final class InsertTriggers {

    /** None to set aside. */
    static final InsertTriggers NONE = new InsertTriggers("", List.of(), null);

    private record Trigger(String name, String definition, boolean disabled, String comment) {}

    private final String quotedTable;
    private final List<Trigger> triggers;
    private final String kept;

    private InsertTriggers(String quotedTable, List<Trigger> triggers, String kept) {
        this.quotedTable = quotedTable;
        this.triggers = List.copyOf(triggers);
        this.kept = kept;
    }

    /**
     * The triggers of {@code quotedTable} at {@code target} to set aside, read in the catalog; call it in a session
     * where {@code session_replication_role} is {@code replica}.
     */
    static InsertTriggers read(Connection target, String quotedTable) throws SQLException {
        // tgtype bits (pg_trigger.h): 1 row, 2 before, 4 insert, 64 instead.
        String sql = """
                SELECT t.tgname, pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled,
                       pg_catalog.obj_description(t.oid, 'pg_trigger'),
                       c.relkind = 'r' AND NOT c.relispartition, t.tgparentid <> 0,
                       pg_catalog.pg_has_role(c.relowner, 'USAGE'),
                       pg_catalog.has_function_privilege(t.tgfoid, 'EXECUTE')
                  FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
                 WHERE t.tgrelid = ?::regclass AND NOT t.tgisinternal
                   AND t.tgtype & 1 <> 0 AND t.tgtype & 4 <> 0 AND t.tgtype & 66 <> 0
                 ORDER BY t.tgname""";
        List<Trigger> triggers = new ArrayList<>();
        String kept = null;
        try (PreparedStatement statement = target.prepareStatement(sql)) {
            statement.setString(1, quotedTable);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    String enabled = rs.getString(3);
                    if (!rs.getBoolean(5) || rs.getBoolean(6)) {
                        kept = "the table is partitioned or a partition";
                    } else if (!rs.getBoolean(7)) {
                        kept = "the role does not own the table";
                    } else if (!rs.getBoolean(8)) {
                        kept = "the role may not call the function of trigger " + name;
                    } else if (!"O".equals(enabled) && !"D".equals(enabled)) {
                        kept = "trigger " + name + " fires in the copy too (ENABLE REPLICA or ALWAYS)";
                    }
                    triggers.add(new Trigger(name, rs.getString(2), "D".equals(enabled), rs.getString(4)));
                }
            }
        }
        return kept == null ? new InsertTriggers(quotedTable, triggers, null) : new InsertTriggers(quotedTable, List.of(), kept);
    }

    /** Why the table's triggers stay during the copy (it copies row by row then), or null when none do. */
    String kept() {
        return kept;
    }

    /** Drops the triggers; inside the chunk's transaction, before its {@code COPY}. */
    void setAside(Connection target) throws SQLException {
        try (Statement statement = target.createStatement()) {
            for (Trigger trigger : triggers) {
                statement.execute("DROP TRIGGER " + KeyRangeSql.identifier(trigger.name()) + " ON " + quotedTable);
            }
        }
    }

    /** Creates the triggers again as they were (definition, enabled state, comment); in the same transaction. */
    void restore(Connection target) throws SQLException {
        try (Statement statement = target.createStatement()) {
            for (Trigger trigger : triggers) {
                String name = KeyRangeSql.identifier(trigger.name());
                statement.execute(trigger.definition());
                if (trigger.disabled()) {
                    statement.execute("ALTER TABLE " + quotedTable + " DISABLE TRIGGER " + name);
                }
                if (trigger.comment() != null) {
                    statement.execute("COMMENT ON TRIGGER " + name + " ON " + quotedTable + " IS "
                            + KeyRangeSql.literal(trigger.comment()));
                }
            }
        }
    }
}
