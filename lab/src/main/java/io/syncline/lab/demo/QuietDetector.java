package io.syncline.lab.demo;

import com.zaxxer.hikari.HikariDataSource;
import io.syncline.connector.OutboxReader;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.node.runtime.LinkStatus;
import io.syncline.node.runtime.SynclineNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Decides when replication is quiet after the writes stopped, from facts rather than a fixed
 * wait: every capture has acknowledged a {@link QuietFence} written after the writes stopped, every link has
 * consumed its upstream outbox to the end, and nothing moved for a few checks in a row.
 */
final class QuietDetector {

    private static final Duration CHECK_INTERVAL = Duration.ofMillis(500);
    private static final int QUIET_CHECKS = 4;

    private final List<String> names;
    private final List<SynclineNode> nodes;
    private final List<HikariDataSource> pools;
    private final Map<String, Map<String, Object>> kafkaSettings;

    QuietDetector(List<String> names, List<SynclineNode> nodes, List<HikariDataSource> pools,
                  Map<String, Map<String, Object>> kafkaSettings) {
        this.names = names;
        this.nodes = nodes;
        this.pools = pools;
        this.kafkaSettings = kafkaSettings;
    }

    void awaitQuiet(Duration timeout) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> stopLsns = new ArrayList<>();
        for (HikariDataSource pool : pools) {
            stopLsns.add(queryString(pool, QuietFence.EMIT_SQL));
        }
        for (int i = 0; i < names.size(); i++) {
            awaitCaptureReached(i, stopLsns.get(i), deadline);
        }
        List<OutboxReader> outboxes = new ArrayList<>();
        try {
            for (String name : names) {
                outboxes.add(new OutboxReader("demo-observer", name, kafkaSettings.get(name)));
            }
            String previous = null;
            int quietChecks = 0;
            while (quietChecks < QUIET_CHECKS) {
                requireBefore(deadline, "the links did not drain the outboxes");
                Thread.sleep(CHECK_INTERVAL.toMillis());
                Map<String, Long> ends = new HashMap<>();
                for (int i = 0; i < names.size(); i++) {
                    OptionalLong end = outboxes.get(i).endOffset(Duration.ofSeconds(5));
                    ends.put(names.get(i), end.orElse(-1));
                }
                String state = describe(ends);
                boolean drained = nodes.stream().flatMap(n -> n.links().stream())
                        .allMatch(link -> Math.max(link.nextOffset(), 0) >= ends.get(link.upstream()));
                quietChecks = drained && state.equals(previous) ? quietChecks + 1 : 0;
                previous = state;
            }
        } finally {
            outboxes.forEach(OutboxReader::close);
        }
    }

    private void awaitCaptureReached(int node, String stopLsn, long deadline) throws SQLException, InterruptedException {
        String sql = "SELECT confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots WHERE slot_name = ?";
        while (true) {
            try (Connection connection = pools.get(node).getConnection();
                    PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, stopLsn);
                statement.setString(2, ReplicationSchema.slotName(names.get(node)));
                try (ResultSet rs = statement.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return;
                    }
                }
            }
            requireBefore(deadline, "the capture of " + names.get(node) + " did not read its WAL up to " + stopLsn);
            Thread.sleep(CHECK_INTERVAL.toMillis());
        }
    }

    private String describe(Map<String, Long> ends) {
        StringBuilder state = new StringBuilder(ends.toString());
        for (SynclineNode node : nodes) {
            state.append(node.capture().publishedTransactions());
            for (LinkStatus link : node.links()) {
                state.append('/').append(link.nextOffset()).append(':').append(link.appliedTransactions());
            }
        }
        return state.toString();
    }

    private static void requireBefore(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("replication did not become quiet in time: " + what);
        }
    }

    private static String queryString(HikariDataSource pool, String sql) throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
