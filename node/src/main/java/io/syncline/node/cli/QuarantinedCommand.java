package io.syncline.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.node.internal.DataSources;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code syncline conflicts quarantined}: the records read from upstream outboxes that failed
 * validation and wait in {@code syncline.quarantine}, oldest first; {@code --discard} deletes
 * those listed once the operator has dealt with them, which brings their links back from
 * {@code REJECTED} to {@code STREAMING}.
 */
@Command(name = "quarantined", mixinStandardHelpOptions = true,
        description = "Print the records read from upstream outboxes that failed validation (syncline.quarantine),"
                + " oldest first; --discard deletes them.")
final class QuarantinedCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, description = "The node's YAML config file.")
    Path configFile;

    @Option(names = "--upstream", description = "Only records read from this upstream node's outbox.")
    String upstream;

    @Option(names = "--json", description = "One JSON document (an array of quarantined records, body in hex) for scripts.")
    boolean json;

    @Option(names = "--discard", description = "Delete the records listed, once their cause is dealt with.")
    boolean discard;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NodeConfig config = ConfigFiles.load(configFile, err);
        if (config == null) {
            return 1;
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        String sql = "SELECT id, received_at, upstream_node, topic, kafka_offset, origin_node, reason, message, headers::text,"
                + " body FROM " + ReplicationSchema.QUARANTINE_TABLE + " WHERE ?::text IS NULL OR upstream_node = ? ORDER BY id";
        try (HikariDataSource pool = DataSources.create(config.nodeId() + "-cli", config.database().url(),
                config.database().user(), config.database().password().reveal(), 1);
                Connection connection = pool.getConnection()) {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setString(1, upstream);
                select.setString(2, upstream);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> entry = new LinkedHashMap<>();
                        entry.put("id", rs.getLong(1));
                        entry.put("received_at", rs.getTimestamp(2).toInstant().toString());
                        entry.put("upstream", rs.getString(3));
                        entry.put("topic", rs.getString(4));
                        entry.put("offset", rs.getLong(5));
                        entry.put("origin", rs.getString(6));
                        entry.put("reason", rs.getString(7));
                        entry.put("message", rs.getString(8));
                        entry.put("headers", JSON.readTree(rs.getString(9)));
                        byte[] body = rs.getBytes(10);
                        entry.put("body_bytes", body == null ? 0 : body.length);
                        if (json) {
                            entry.put("body_hex", body == null ? null : java.util.HexFormat.of().formatHex(body));
                        }
                        entries.add(entry);
                        ids.add(rs.getLong(1));
                    }
                }
            }
            if (discard && !ids.isEmpty()) {
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + ReplicationSchema.QUARANTINE_TABLE
                        + " WHERE id = ANY (?)")) {
                    delete.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
                    delete.executeUpdate();
                }
            }
        } catch (SQLException e) {
            err.println(configFile + ": database " + config.database().url() + ": " + e.getMessage());
            return 1;
        }
        if (json) {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(entries));
        } else {
            out.printf("%-6s %-24s %-10s %-26s %8s %-10s %-20s %s%n", "ID", "RECEIVED", "UPSTREAM", "TOPIC", "OFFSET", "ORIGIN",
                    "REASON", "MESSAGE");
            for (Map<String, Object> e : entries) {
                out.printf("%-6s %-24s %-10s %-26s %8s %-10s %-20s %s%n", e.get("id"), e.get("received_at"), e.get("upstream"),
                        e.get("topic"), e.get("offset"), e.get("origin") == null ? "-" : e.get("origin"), e.get("reason"),
                        e.get("message"));
            }
            out.println(discard ? entries.size() + " quarantined record(s) discarded"
                    : entries.size() + " quarantined record(s); neither applied nor forwarded (docs/quarantine.md);"
                            + " `--discard` deletes them once dealt with");
        }
        out.flush();
        return 0;
    }
}
