package io.syncline.node.consistency;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Compares one replicated table across the databases of several nodes without moving the rows:
 * the table is cut into chunks of about {@link Options#chunkRows()} keys (the first node's keys
 * decide the boundaries), each node hashes each chunk in its own database, and only chunks whose
 * hashes differ are looked at again. A chunk that differs is hashed again after
 * {@link Options#settle()}, up to {@link Options#rechecks()} times, so that changes still in
 * flight between the nodes are not reported; the rows of the chunks that still differ are then
 * read and compared key by key. User columns and replication metadata are compared alike.
 *
 * <p>Not thread-safe; reads only.
 */
public final class TableDiff {

    /** A node's database. */
    public record Peer(String node, Connection connection) {}

    /**
     * @param chunkRows keys per chunk
     * @param settle    wait before hashing a differing chunk again
     * @param rechecks  how many times a differing chunk is hashed again
     */
    public record Options(int chunkRows, Duration settle, int rechecks) {
        public Options {
            if (chunkRows < 1 || rechecks < 0 || settle.isNegative()) {
                throw new IllegalArgumentException("chunk rows must be positive, rechecks and settle not negative");
            }
        }
    }

    /**
     * What a comparison found.
     *
     * @param rows        rows of the table at the first node
     * @param chunks      chunks compared
     * @param differing   chunks that differed at every check
     * @param differences the keys whose rows differ, in key order within each chunk
     */
    public record Report(String table, long rows, int chunks, int differing, List<KeyDifference> differences) {}

    /** Waits between checks; tests pass one that does not sleep. */
    public interface Pause {
        void pause(Duration duration) throws InterruptedException;
    }

    private TableDiff() {}

    /**
     * @throws IllegalStateException if the nodes' tables do not have the same columns and types (naming the difference)
     */
    public static Report compare(List<Peer> peers, String table, Options options, Pause pause)
            throws SQLException, InterruptedException {
        if (peers.size() < 2) {
            throw new IllegalArgumentException("comparing needs at least two nodes, not " + peers.size());
        }
        ComparedTable layout = sameLayout(peers, table);
        List<KeyRange> ranges = ranges(TableReader.boundaries(peers.get(0).connection(), layout, options.chunkRows()));
        long rows = 0;
        List<KeyRange> differing = new ArrayList<>();
        for (KeyRange range : ranges) {
            List<TableReader.ChunkHash> hashes = hashes(peers, layout, range);
            rows += hashes.get(0).rows();
            if (!allEqual(hashes)) {
                differing.add(range);
            }
        }
        for (int check = 0; check < options.rechecks() && !differing.isEmpty(); check++) {
            pause.pause(options.settle());
            List<KeyRange> still = new ArrayList<>();
            for (KeyRange range : differing) {
                if (!allEqual(hashes(peers, layout, range))) {
                    still.add(range);
                }
            }
            differing = still;
        }
        List<KeyDifference> differences = new ArrayList<>();
        for (KeyRange range : differing) {
            differences.addAll(keyDifferences(peers, layout, range));
        }
        return new Report(table, rows, ranges.size(), differing.size(), differences);
    }

    /** The table's layout, the same at every node. */
    static ComparedTable sameLayout(List<Peer> peers, String table) throws SQLException {
        ComparedTable first = ComparedTable.read(peers.get(0).connection(), table);
        for (Peer peer : peers.subList(1, peers.size())) {
            ComparedTable other = ComparedTable.read(peer.connection(), table);
            if (!other.columns().equals(first.columns()) || !other.key().equals(first.key())) {
                throw new IllegalStateException(table + " differs in its columns: " + peers.get(0).node() + " has "
                        + first.columns() + " (key " + first.key().keySet() + "), " + peer.node() + " has " + other.columns()
                        + " (key " + other.key().keySet() + "); align the schemas before comparing the data");
            }
        }
        return first;
    }

    private static List<KeyRange> ranges(List<List<String>> boundaries) {
        List<KeyRange> ranges = new ArrayList<>(boundaries.size() + 1);
        List<String> from = null;
        for (List<String> boundary : boundaries) {
            ranges.add(new KeyRange(from, boundary));
            from = boundary;
        }
        ranges.add(new KeyRange(from, null));
        return ranges;
    }

    private static List<TableReader.ChunkHash> hashes(List<Peer> peers, ComparedTable layout, KeyRange range)
            throws SQLException {
        List<TableReader.ChunkHash> hashes = new ArrayList<>(peers.size());
        for (Peer peer : peers) {
            hashes.add(TableReader.hash(peer.connection(), layout, range));
        }
        return hashes;
    }

    private static boolean allEqual(List<?> values) {
        return values.stream().allMatch(v -> Objects.equals(v, values.get(0)));
    }

    private static List<KeyDifference> keyDifferences(List<Peer> peers, ComparedTable layout, KeyRange range)
            throws SQLException {
        Map<String, Map<List<String>, List<String>>> rowsByNode = new LinkedHashMap<>();
        Set<List<String>> keys = new LinkedHashSet<>();
        for (Peer peer : peers) {
            Map<List<String>, List<String>> rows = TableReader.rows(peer.connection(), layout, range);
            rowsByNode.put(peer.node(), rows);
            keys.addAll(rows.keySet());
        }
        List<KeyDifference> differences = new ArrayList<>();
        for (List<String> key : keys) {
            Map<String, List<String>> images = new LinkedHashMap<>();
            rowsByNode.forEach((node, rows) -> images.put(node, rows.get(key)));
            if (!allEqual(new ArrayList<>(images.values()))) {
                differences.add(new KeyDifference(layout.name(), key, images));
            }
        }
        return differences;
    }
}
