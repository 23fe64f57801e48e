package io.syncline.lab.demo;

import io.syncline.lab.demo.CausalWorkload.Write;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the lost causal writes of the {@link CausalWorkload}s once replication is quiet.
 *
 * <p>A write W made after observing another datacenter's write is <em>lost</em> when the row
 * that survived is not W and is a version W had already seen (its event is in W's version
 * vector): an older version beat a newer one, as a wall-clock LWW does when W's clock is
 * behind. A version concurrent with W may legitimately win the conflict under LWW, and a
 * version that had seen W legitimately supersedes it; neither is counted. A surviving row that
 * no recorded write made counts as lost too, since then nothing vouches for it.
 */
public final class CausalAudit {

    /** What the audit found. */
    public record Result(long observedWrites, long lostWrites, List<String> examples) {}

    private CausalAudit() {}

    /**
     * @param writes     every committed write to {@link CausalWorkload#TABLE} at every datacenter, the seed included
     * @param connection a connection to one datacenter's database (all are identical once converged)
     */
    public static Result audit(List<Write> writes, Connection connection) throws SQLException {
        Map<Integer, Row> rows = new HashMap<>();
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(
                "SELECT id, marker, syncline_hlc, syncline_node FROM demo.causal")) {
            while (rs.next()) {
                rows.put(rs.getInt(1), new Row(rs.getString(2), rs.getLong(3), rs.getString(4)));
            }
        }
        return audit(writes, rows);
    }

    /** A surviving row of {@code demo.causal}: its marker and version clock. */
    public record Row(String marker, long hlc, String node) {}

    /** As {@link #audit(List, Connection)}, with the surviving rows by key already read. */
    public static Result audit(List<Write> writes, Map<Integer, Row> rows) {
        Map<String, Write> byVersion = new HashMap<>();
        writes.forEach(w -> byVersion.put(w.key() + "/" + w.hlc() + "/" + w.node(), w));
        Map<Integer, Write> survivors = new HashMap<>();
        Map<Integer, String> unknown = new HashMap<>();
        rows.forEach((key, row) -> {
            Write survivor = byVersion.get(key + "/" + row.hlc() + "/" + row.node());
            if (survivor == null || !survivor.marker().equals(row.marker())) {
                unknown.put(key, row.marker() + " @ " + row.hlc() + "/" + row.node());
            } else {
                survivors.put(key, survivor);
            }
        });
        long observed = 0;
        long lost = 0;
        List<String> examples = new java.util.ArrayList<>();
        for (Write write : writes) {
            if (!write.observedOther()) {
                continue;
            }
            observed++;
            Write survivor = survivors.get(write.key());
            boolean survived = survivor != null && survivor.equals(write);
            boolean lostToSeen = survivor != null && !survived && write.hasSeen(survivor);
            if (lostToSeen || (survivor == null && unknown.containsKey(write.key()))) {
                lost++;
                if (examples.size() < 5) {
                    examples.add("key " + write.key() + ": " + write.marker() + " (hlc " + write.hlc() + ", vv " + write.vector()
                            + ") lost to " + (survivor != null ? survivor.marker() + " (hlc " + survivor.hlc() + ", vv "
                            + survivor.vector() + ")" : "an unrecorded version " + unknown.get(write.key())));
                }
            }
        }
        return new Result(observed, lost, examples);
    }
}
