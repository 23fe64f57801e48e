package io.syncline.schema.ddl;

import io.syncline.core.config.TableName;
import io.syncline.core.schema.ReplicationSchema;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which schema changes may reach the DCs at different moments. A change travels in the
 * replication stream, so for a while some DCs have it and others not, and rows written under
 * either schema meet the other: a change is accepted only when both kinds of row still apply
 * exactly everywhere, and every DC computes the same data from it. Stateless.
 */
public final class DdlRules {

    /**
     * A default that evaluates to the same value at every DC: a literal, optionally cast. A volatile
     * or time-dependent default ({@code now()}, {@code nextval(...)}, {@code random()}) fills the
     * existing rows of each DC with another value.
     */
    private static final Pattern CONSTANT = Pattern.compile(
            "\\(?(NULL|true|false|-?\\d+(\\.\\d+)?|'([^']|'')*')\\)?(::[a-zA-Z0-9_ .\"\\[\\]()]+)*");

    private static final String PRIMARY_KEY = "the primary key identifies rows across DCs and cannot change while they"
            + " replicate";

    /** The verdict on one change: {@code refusal} is null when it is accepted, else why not and what to do. */
    public record Verdict(SchemaChange change, String refusal) {
        public boolean accepted() {
            return refusal == null;
        }
    }

    private DdlRules() {}

    /** What the rules need to know of a table beyond the change itself. */
    public interface History {

        /** No column dropped before, none with a rule of its own. */
        History NONE = new History() {
            @Override
            public Set<String> droppedColumns(TableName table) {
                return Set.of();
            }

            @Override
            public Set<String> columnsWithRules(TableName table) {
                return Set.of();
            }
        };

        /** The columns of {@code table} that earlier changes through {@code syncline ddl} dropped. */
        Set<String> droppedColumns(TableName table);

        /** The columns of {@code table} that the node's config gives a conflict rule of their own. */
        Set<String> columnsWithRules(TableName table);
    }

    /** A verdict for each change, in order, for tables no change dropped a column of and no column rule names. */
    public static List<Verdict> judge(List<SchemaChange> changes, Set<TableName> replicated) {
        return judge(changes, replicated, History.NONE);
    }

    /** A verdict for each change, in order. */
    public static List<Verdict> judge(List<SchemaChange> changes, Set<TableName> replicated, History history) {
        return changes.stream().map(c -> new Verdict(c, refusal(c, replicated, history))).toList();
    }

    static String refusal(SchemaChange change, Set<TableName> replicated, History history) {
        if (!replicated.contains(change.table()) && !(change instanceof SchemaChange.TableCreated)) {
            return change.table() + " is not replicated: run the statement on this database directly";
        }
        if (change instanceof SchemaChange.TableCreated) {
            // It joins replication in the same transaction (SchemaChangeRunner checks that it can), and each DC
            // meets its rows only after its creation: the origin's rows follow it in the origin's stream, and a
            // row of a DC that already has it waits at one that does not yet (SCHEMA_MISMATCH).
            return null;
        }
        if (change instanceof SchemaChange.TableDropped c) {
            return "the other DCs still send rows of " + c.table() + ": remove it from tables: in every node's config and"
                    + " restart the nodes, then drop it at every DC";
        }
        if (change instanceof SchemaChange.ColumnAdded c) {
            if (history.droppedColumns(c.table()).contains(c.column().name())) {
                return "a column " + c.column().name() + " of " + c.table() + " was dropped through syncline ddl, and rows"
                        + " written before that may still be on their way with its values, which would land in the new"
                        + " column: give the new column another name";
            }
            return addedColumn(c);
        }
        if (change instanceof SchemaChange.ColumnDropped c) {
            // Rows the other DCs write before the drop reaches them still carry the column: the appliers write them
            // without it (DroppedColumns), so every DC ends with the same rows.
            String metadata = metadata(c.column().name());
            if (metadata != null) {
                return metadata;
            }
            return history.columnsWithRules(c.table()).contains(c.column().name()) ? "the config gives column "
                    + c.column().name() + " of " + c.table() + " a conflict rule of its own: remove the rule from every"
                    + " node's config and restart the nodes, then drop the column" : null;
        }
        if (change instanceof SchemaChange.ColumnRenamed) {
            return "rows written under the old name would not apply under the new one: add the new column, backfill it,"
                    + " switch the application to it, then drop the old one";
        }
        if (change instanceof SchemaChange.ColumnTypeChanged c) {
            return TypeWidening.widens(c.from(), c.to()) ? metadata(c.column()) : c.from() + " to " + c.to()
                    + " is not a widening, so rows of one type would not apply exactly under the other: add a column of"
                    + " the new type, backfill it, switch the application to it, then drop the old one";
        }
        if (change instanceof SchemaChange.NotNullChanged c) {
            return c.notNull() ? "NOT NULL can refuse rows the other DCs accept until they have it too: fill the column at"
                    + " every DC, then set NOT NULL by hand at every DC" : metadata(c.column());
        }
        if (change instanceof SchemaChange.DefaultChanged c) {
            return metadata(c.column());
        }
        if (change instanceof SchemaChange.IndexCreated c) {
            return c.definition().startsWith("CREATE UNIQUE") ? "a unique index can refuse rows the other DCs accept until"
                    + " they have it too: check with syncline diff that the column is unique at every DC, then create the"
                    + " index by hand at every DC" : null;
        }
        if (change instanceof SchemaChange.ConstraintAdded c) {
            return c.constraint().kind() == 'p' ? PRIMARY_KEY : "a constraint can refuse rows the other DCs accept until"
                    + " they have it too: check the data at every DC, then add it by hand at every DC (rows refused meanwhile"
                    + " are parked)";
        }
        if (change instanceof SchemaChange.ConstraintDropped c) {
            return c.constraint().kind() == 'p' ? PRIMARY_KEY : null;
        }
        // IndexDropped: reading needs no index.
        return null;
    }

    private static String addedColumn(SchemaChange.ColumnAdded added) {
        ColumnDefinition column = added.column();
        String metadata = metadata(column.name());
        if (metadata != null || column.generated()) {
            return metadata;
        }
        String fill = column.defaultExpression();
        if (fill != null && !CONSTANT.matcher(fill).matches()) {
            return "the default " + fill + " gives the existing rows another value at each DC: add the column without a"
                    + " default (or with a constant one), backfill it, then set the default";
        }
        if (column.notNull() && fill == null) {
            return "a NOT NULL column without a default refuses the rows of the DCs that do not have it yet: give it a"
                    + " constant default";
        }
        return null;
    }

    private static String metadata(String column) {
        return ReplicationSchema.METADATA_COLUMNS.contains(column)
                ? column + " is Syncline's own column: syncline init maintains it" : null;
    }
}
