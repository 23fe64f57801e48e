package io.syncline.node.cli;

import io.syncline.core.config.NodeConfig;
import io.syncline.core.schema.ReplicationSchema;
import java.io.PrintWriter;
import java.sql.PreparedStatement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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
final class QuarantinedCommand extends NodeConfigCommand {

    @Option(names = "--upstream", description = "Only records read from this upstream node's outbox.")
    String upstream;

    @Option(names = "--json", description = "One JSON document (an array of quarantined records, body in hex) for scripts.")
    boolean json;

    @Option(names = "--discard", description = "Delete the records listed, once their cause is dealt with.")
    boolean discard;

    @Override
    int run(NodeConfig config, PrintWriter out, PrintWriter err) throws Exception {
        String sql = "SELECT id, received_at, upstream_node, topic, kafka_offset, origin_node, reason, message, headers::text,"
                + " body FROM " + ReplicationSchema.QUARANTINE_TABLE + " WHERE ?::text IS NULL OR upstream_node = ? ORDER BY id";
        return ConfigFiles.onDatabase(config, configFile, err, connection -> {
            List<Map<String, Object>> entries;
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setString(1, upstream);
                select.setString(2, upstream);
                entries = Listing.read(select, (rs, entry) -> {
                    entry.put("id", rs.getLong(1));
                    entry.put("received_at", rs.getTimestamp(2).toInstant().toString());
                    entry.put("upstream", rs.getString(3));
                    entry.put("topic", rs.getString(4));
                    entry.put("offset", rs.getLong(5));
                    entry.put("origin", rs.getString(6));
                    entry.put("reason", rs.getString(7));
                    entry.put("message", rs.getString(8));
                    entry.put("headers", Listing.tree(rs.getString(9)));
                    byte[] body = rs.getBytes(10);
                    entry.put("body_bytes", body == null ? 0 : body.length);
                    if (json) {
                        entry.put("body_hex", body == null ? null : HexFormat.of().formatHex(body));
                    }
                });
            }
            if (discard && !entries.isEmpty()) {
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + ReplicationSchema.QUARANTINE_TABLE
                        + " WHERE id = ANY (?)")) {
                    delete.setArray(1, connection.createArrayOf("bigint", entries.stream().map(e -> e.get("id")).toArray()));
                    delete.executeUpdate();
                }
            }
            if (json) {
                Listing.printJson(out, entries);
            } else {
                Listing.printTable(out, "%-6s %-24s %-10s %-26s %8s %-10s %-20s %s%n",
                        List.of("ID", "RECEIVED", "UPSTREAM", "TOPIC", "OFFSET", "ORIGIN", "REASON", "MESSAGE"),
                        List.of("id", "received_at", "upstream", "topic", "offset", "origin", "reason", "message"), entries);
                out.println(discard ? entries.size() + " quarantined record(s) discarded"
                        : entries.size() + " quarantined record(s); neither applied nor forwarded (docs/quarantine.md);"
                                + " `--discard` deletes them once dealt with");
            }
            out.flush();
            return 0;
        });
    }
}
