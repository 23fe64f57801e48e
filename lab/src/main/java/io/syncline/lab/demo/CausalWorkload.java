package io.syncline.lab.demo;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-then-write on the shared rows of {@code demo.causal} at one datacenter: reads a row (locked,
 * so that the version read is the one overwritten), then writes a marker into it. Every committed
 * write is recorded with the version it made (the row trigger stamps it before the row is
 * written, so {@code RETURNING} sees it) and whether the version it overwrote came from another
 * datacenter: such a write was made <em>after observing</em> that write, and must never lose to it
 * or to anything before it, whatever the clocks say. {@link CausalAudit} checks that afterwards.
 */
public final class CausalWorkload implements Runnable {

    public static final String TABLE = "demo.causal";
    public static final int ROWS = 10;
    public static final String CREATE_TABLE = """
            CREATE SCHEMA IF NOT EXISTS demo;
            CREATE TABLE IF NOT EXISTS demo.causal (id integer PRIMARY KEY, marker text NOT NULL)""";

    private static final Logger log = LoggerFactory.getLogger(CausalWorkload.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Long>> VECTOR = new TypeReference<>() {};

    /**
     * One committed write: the marker it wrote, the version it made (clock, node, version vector)
     * and whether it overwrote another datacenter's version.
     */
    public record Write(int key, String marker, long hlc, String node, Map<String, Long> vector, boolean observedOther) {

        /** This write's own event: its node's entry in its vector. */
        long dot() {
            return vector.getOrDefault(node, 0L);
        }

        /** Whether this write had seen {@code other} (other's event is in this write's past, or is this write). */
        boolean hasSeen(Write other) {
            return vector.getOrDefault(other.node(), 0L) >= other.dot();
        }
    }

    private final String nodeId;
    private final DataSource dataSource;
    private final double transactionsPerSecond;
    private final AtomicBoolean running;
    private final Random random;
    private final List<Write> writes = Collections.synchronizedList(new ArrayList<>());

    public CausalWorkload(String nodeId, DataSource dataSource, double transactionsPerSecond, AtomicBoolean running,
                          long seed) {
        this.nodeId = nodeId;
        this.dataSource = dataSource;
        this.transactionsPerSecond = transactionsPerSecond;
        this.running = running;
        this.random = new Random(seed);
    }

    /** Inserts the shared rows at one datacenter before the workloads start; returns their writes. */
    public static List<Write> seed(DataSource dataSource, String nodeId) throws SQLException {
        List<Write> seeded = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO demo.causal VALUES (?, ?) RETURNING syncline_hlc, syncline_node, syncline_vv::text")) {
            for (int key = 1; key <= ROWS; key++) {
                insert.setInt(1, key);
                insert.setString(2, nodeId + "-seed-" + key);
                try (ResultSet rs = insert.executeQuery()) {
                    rs.next();
                    seeded.add(new Write(key, nodeId + "-seed-" + key, rs.getLong(1), rs.getString(2), vector(rs.getString(3)),
                            false));
                }
            }
        }
        return seeded;
    }

    /** The committed writes so far, in commit order. */
    public List<Write> writes() {
        synchronized (writes) {
            return List.copyOf(writes);
        }
    }

    @Override
    public void run() {
        SteadyRate rate = new SteadyRate(transactionsPerSecond);
        int sequence = 0;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement read = connection.prepareStatement(
                        "SELECT syncline_node FROM demo.causal WHERE id = ? FOR UPDATE");
                PreparedStatement write = connection.prepareStatement("UPDATE demo.causal SET marker = ? WHERE id = ?"
                        + " RETURNING syncline_hlc, syncline_node, syncline_vv::text")) {
            connection.setAutoCommit(false);
            while (running.get()) {
                int key = 1 + random.nextInt(ROWS);
                String marker = nodeId + "-" + (++sequence);
                try {
                    read.setInt(1, key);
                    String observed;
                    try (ResultSet rs = read.executeQuery()) {
                        observed = rs.next() ? rs.getString(1) : null;
                    }
                    if (observed != null) {
                        write.setString(1, marker);
                        write.setInt(2, key);
                        Write made;
                        try (ResultSet rs = write.executeQuery()) {
                            rs.next();
                            made = new Write(key, marker, rs.getLong(1), rs.getString(2), vector(rs.getString(3)),
                                    !observed.equals(nodeId));
                        }
                        connection.commit();
                        writes.add(made);
                    } else {
                        connection.rollback();
                    }
                } catch (SQLException e) {
                    // A deadlock with the applier writing the same row: this write did not happen.
                    connection.rollback();
                    log.debug("[{} causal workload] transaction rolled back: {}", nodeId, e.getMessage());
                }
                rate.awaitNext();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("causal workload on " + nodeId + " failed", e);
        }
    }

    static Map<String, Long> vector(String json) {
        try {
            return JSON.readValue(json, VECTOR);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("not a version vector: " + json, e);
        }
    }
}
