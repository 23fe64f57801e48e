package io.syncline.node.consistency;

import io.syncline.core.schema.ReplicationSchema;
import io.syncline.node.consistency.TableDiff.Peer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Makes the rows that {@link TableDiff} found different replicate again, with one winner per key
 * that every run picks alike: the newest version among the nodes' rows and tombstones, ordered
 * as last-write-wins orders them (HLC, then node id). A row that wins is written again where it
 * won ({@code UPDATE ... SET key = key}): the row trigger gives it a new version, later than
 * every version that node has seen, and the capture carries it to every node. A delete that wins
 * is made again at every node that still has the row. Either way the repair travels as ordinary
 * replicated writes, so conflict logging and tombstones stay as they are.
 */
public final class Repair {

    /** What to do about one key. */
    public enum Kind {
        /** Write the winning row again at {@link Action#node()}. */
        REWRITE,
        /** Delete the row at {@link Action#node()}: a newer delete wins. */
        DELETE
    }

    /**
     * @param winner e.g. {@code row at dc-a (hlc 1234, dc-a)} or {@code delete at dc-b (hlc ..., dc-c)}
     */
    public record Action(KeyDifference difference, Kind kind, String node, String winner) {
        @Override
        public String toString() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + " at " + node + ": " + difference + "; newest is the "
                    + winner;
        }
    }

    private record Version(long hlc, String node, String where, boolean deleted) {
        static final Comparator<Version> ORDER = Comparator.comparingLong(Version::hlc).thenComparing(Version::node)
                .thenComparing(Version::where);
    }

    private Repair() {}

    /** The actions that repair {@code differences} of {@code table}; reads only. */
    public static List<Action> plan(List<Peer> peers, String table, List<KeyDifference> differences) throws SQLException {
        ComparedTable layout = TableDiff.sameLayout(peers, table);
        List<String> columns = new ArrayList<>(layout.columns().keySet());
        int hlc = columns.indexOf(ReplicationSchema.HLC_COLUMN);
        int node = columns.indexOf(ReplicationSchema.NODE_COLUMN);
        if (hlc < 0 || node < 0) {
            throw new IllegalStateException(table + " has no row-version columns: run syncline init on every node first");
        }
        List<Action> actions = new ArrayList<>();
        for (KeyDifference difference : differences) {
            List<Version> versions = new ArrayList<>();
            for (Peer peer : peers) {
                List<String> row = difference.rows().get(peer.node());
                if (row != null) {
                    versions.add(new Version(Long.parseLong(row.get(hlc)), row.get(node), peer.node(), false));
                } else {
                    tombstone(peer.connection(), layout, difference.key())
                            .map(t -> new Version(t.hlc(), t.node(), peer.node(), true))
                            .ifPresent(versions::add);
                }
            }
            Version newest = versions.stream().max(Version.ORDER).orElseThrow();
            String winner = (newest.deleted() ? "delete" : "row") + " at " + newest.where() + " (hlc " + newest.hlc() + ", "
                    + newest.node() + ")";
            if (newest.deleted()) {
                for (Map.Entry<String, List<String>> row : difference.rows().entrySet()) {
                    if (row.getValue() != null) {
                        actions.add(new Action(difference, Kind.DELETE, row.getKey(), winner));
                    }
                }
            } else {
                actions.add(new Action(difference, Kind.REWRITE, newest.where(), winner));
            }
        }
        return actions;
    }

    /** Carries out {@code actions}, each in a transaction of its own at its node. */
    public static void apply(List<Peer> peers, String table, List<Action> actions) throws SQLException {
        ComparedTable layout = TableDiff.sameLayout(peers, table);
        String where = " WHERE " + layout.keyRow() + " = " + layout.keyParameters();
        String firstKey = ComparedTable.identifier(layout.key().keySet().iterator().next());
        for (Action action : actions) {
            Connection connection = peers.stream().filter(p -> p.node().equals(action.node())).findFirst().orElseThrow()
                    .connection();
            String sql = action.kind() == Kind.DELETE
                    ? "DELETE FROM " + layout.quoted() + where
                    : "UPDATE " + layout.quoted() + " SET " + firstKey + " = " + firstKey + where;
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (int i = 0; i < action.difference().key().size(); i++) {
                    statement.setString(i + 1, action.difference().key().get(i));
                }
                statement.executeUpdate();
            }
        }
    }

    private record Tombstone(long hlc, String node) {}

    private static Optional<Tombstone> tombstone(Connection connection, ComparedTable layout, List<String> key)
            throws SQLException {
        List<String> names = new ArrayList<>(layout.key().keySet());
        String pk = names.stream().map(c -> "'" + c.replace("'", "''") + "', CAST(? AS text)")
                .collect(Collectors.joining(", ", "jsonb_build_object(", ")"));
        try (PreparedStatement statement = connection.prepareStatement("SELECT hlc, node_id FROM "
                + ReplicationSchema.TOMBSTONE_TABLE + " WHERE table_name = ? AND pk = " + pk)) {
            statement.setString(1, layout.name());
            for (int i = 0; i < key.size(); i++) {
                statement.setString(i + 2, key.get(i));
            }
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? Optional.of(new Tombstone(rs.getLong(1), rs.getString(2))) : Optional.empty();
            }
        }
    }
}
