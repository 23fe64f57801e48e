package io.syncline.node.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.syncline.apply.ApplyException;
import io.syncline.apply.ApplyListener;
import io.syncline.apply.RetriableApplyException;
import io.syncline.apply.TransactionApplier;
import io.syncline.conflict.ConflictPolicies;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.node.runtime.DataSources;
import java.io.PrintWriter;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code syncline conflicts list|parked|retry|quarantined}: the conflict log, the parked (dead-letter) changes and the
 * quarantined records of this node.
 */
@Command(name = "conflicts", mixinStandardHelpOptions = true,
        description = "Show the conflict log; apply parked changes again; show or discard quarantined records.",
        subcommands = {ConflictsCommand.ListCommand.class, ConflictsCommand.ParkedCommand.class,
                ConflictsCommand.RetryCommand.class, QuarantinedCommand.class})
final class ConflictsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code --since}: an ISO instant ({@code 2026-01-02T03:04:05Z}) or a duration back from now ({@code 2h}). */
    static Instant since(String value, Clock clock) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            return clock.instant().minus(new DurationConverter().convert(value));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Print the conflict log, newest last.")
    static final class ListCommand extends NodeConfigCommand {

        @Option(names = "--table", description = "Only this table (schema.table, or table in public).")
        String table;

        @Option(names = "--since", description = "Only entries at or after this instant (ISO-8601) or this long ago (30m, 2h).")
        String since;

        @Option(names = "--limit", defaultValue = "1000", description = "At most this many entries (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--json", description = "One JSON document for scripts: total (entries that match), returned,"
                + " truncated (whether --limit left some out) and entries (the newest, oldest first).")
        boolean json;

        @Override
        int run(NodeConfig config, PrintWriter out, PrintWriter err) throws Exception {
            String qualified = table == null ? null : table.contains(".") ? table : "public." + table;
            Instant from;
            try {
                from = since == null ? null : since(since, Clock.systemUTC());
            } catch (CommandLine.TypeConversionException e) {
                err.println("--since: " + e.getMessage());
                return 2;
            }
            String sql = "SELECT id, logged_at, table_name, pk::text, conflict_type, rule, winner, origin_node, origin_position,"
                    + " local_version::text, remote_version::text, local_row::text, remote_row::text, resolved_version::text,"
                    + " resolved_row::text, error, matching FROM (SELECT *, count(*) OVER () AS matching FROM "
                    + ReplicationSchema.CONFLICT_LOG_TABLE
                    + " WHERE (?::text IS NULL OR table_name = ?) AND (?::timestamptz IS NULL OR logged_at >= ?)"
                    + " ORDER BY id DESC LIMIT ?) recent ORDER BY id";
            long[] matching = {0};
            return ConfigFiles.onDatabase(config, configFile, err, connection -> {
                List<Map<String, Object>> entries;
                try (PreparedStatement select = connection.prepareStatement(sql)) {
                    select.setString(1, qualified);
                    select.setString(2, qualified);
                    Timestamp at = from == null ? null : Timestamp.from(from);
                    select.setTimestamp(3, at);
                    select.setTimestamp(4, at);
                    select.setInt(5, limit);
                    entries = Listing.read(select, (rs, entry) -> {
                        entry.put("id", rs.getLong(1));
                        entry.put("logged_at", rs.getTimestamp(2).toInstant().toString());
                        entry.put("table", rs.getString(3));
                        entry.put("key", Listing.tree(rs.getString(4)));
                        entry.put("type", rs.getString(5));
                        entry.put("rule", rs.getString(6));
                        entry.put("winner", rs.getString(7));
                        entry.put("origin", rs.getString(8));
                        entry.put("origin_position", rs.getLong(9));
                        entry.put("local_version", Listing.tree(rs.getString(10)));
                        entry.put("remote_version", Listing.tree(rs.getString(11)));
                        entry.put("local_row", Listing.tree(rs.getString(12)));
                        entry.put("remote_row", Listing.tree(rs.getString(13)));
                        entry.put("resolved_version", Listing.tree(rs.getString(14)));
                        entry.put("resolved_row", Listing.tree(rs.getString(15)));
                        entry.put("error", rs.getString(16));
                        matching[0] = rs.getLong(17);
                    });
                }
                boolean truncated = matching[0] > entries.size();
                if (json) {
                    Map<String, Object> document = new LinkedHashMap<>();
                    document.put("total", matching[0]);
                    document.put("returned", entries.size());
                    document.put("truncated", truncated);
                    document.put("entries", entries);
                    Listing.printJson(out, document);
                } else {
                    Listing.printTable(out, "%-6s %-24s %-20s %-16s %-14s %-22s %-8s %-8s %s%n",
                            List.of("ID", "TIME", "TABLE", "KEY", "TYPE", "RULE", "WINNER", "ORIGIN", "ERROR"),
                            List.of("id", "logged_at", "table", "key", "type", "rule", "winner", "origin", "error"), entries);
                    out.println(truncated ? "the newest " + entries.size() + " of " + matching[0] + " conflict(s); --limit shows more"
                            : entries.size() + " conflict(s)");
                }
                out.flush();
                return 0;
            });
        }
    }

    @Command(name = "parked", mixinStandardHelpOptions = true,
            description = "Print what waits in syncline.dead_letter: source transactions this database refused"
                    + " (kind transaction) and changes whose conflict resolution failed (kind change), oldest first.")
    static final class ParkedCommand extends NodeConfigCommand {

        @Option(names = "--json", description = "One JSON document (an array of dead letters) for scripts.")
        boolean json;

        @Override
        int run(NodeConfig config, PrintWriter out, PrintWriter err) throws Exception {
            String sql = "SELECT id, parked_at, kind, table_name, pk::text, origin_node, origin_position, origin_tx_id,"
                    + " jsonb_array_length(CASE jsonb_typeof(change_json) WHEN 'array' THEN change_json ELSE '[0]' END),"
                    + " attempts, sqlstate, constraint_name, error FROM " + ReplicationSchema.DEAD_LETTER_TABLE + " ORDER BY id";
            return ConfigFiles.onDatabase(config, configFile, err, connection -> {
                List<Map<String, Object>> entries;
                try (PreparedStatement select = connection.prepareStatement(sql)) {
                    entries = Listing.read(select, (rs, entry) -> {
                        entry.put("id", rs.getLong(1));
                        entry.put("parked_at", rs.getTimestamp(2).toInstant().toString());
                        entry.put("kind", rs.getString(3));
                        entry.put("table", rs.getString(4));
                        entry.put("key", Listing.tree(rs.getString(5)));
                        entry.put("origin", rs.getString(6));
                        entry.put("origin_position", rs.getLong(7));
                        entry.put("origin_tx_id", rs.getLong(8));
                        entry.put("changes", rs.getInt(9));
                        entry.put("attempts", rs.getInt(10));
                        entry.put("sqlstate", rs.getString(11));
                        entry.put("constraint", rs.getString(12));
                        entry.put("error", rs.getString(13));
                    });
                }
                if (json) {
                    Listing.printJson(out, entries);
                } else {
                    Listing.printTable(out, "%-6s %-24s %-12s %-20s %-16s %-8s %-12s %-8s %s%n",
                            List.of("ID", "PARKED", "KIND", "TABLE", "KEY", "ORIGIN", "POSITION", "ATTEMPTS", "ERROR"),
                            List.of("id", "parked_at", "kind", "table", "key", "origin", "origin_position", "attempts", "error"),
                            entries);
                    out.println(entries.size() + " parked; fix the cause, then `syncline conflicts retry`");
                }
                out.flush();
                return 0;
            });
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true,
            description = "Apply the changes and transactions parked in syncline.dead_letter again (after fixing the custom"
                    + " resolver, or the data or schema this database refused them for).")
    static final class RetryCommand extends NodeConfigCommand {

        @Option(names = "--table", description = "Only changes of this table.")
        String table;

        @Override
        int run(NodeConfig config, PrintWriter out, PrintWriter err) throws Exception {
            String qualified = table == null ? null : table.contains(".") ? table : "public." + table;
            try (HikariDataSource pool = DataSources.createForApplier(config.nodeId() + "-retry", config.database().url(),
                    config.database().user(), config.database().password().reveal(), 2)) {
                TransactionApplier applier = new TransactionApplier(config.nodeId(), pool, ConflictPolicies.of(config),
                        ApplyListener.NONE, TransactionApplier.DEFAULT_MAX_ROWS_PER_TRANSACTION);
                TransactionApplier.RetryResult result = applier.retryParked(qualified);
                out.printf("applied %d parked change(s); %d still parked%n", result.applied(), result.stillParked());
                result.errors().forEach((id, error) -> out.printf("  dead letter %d: %s%n", id, error));
                out.flush();
                return result.stillParked() == 0 ? 0 : 3;
            } catch (ApplyException | RetriableApplyException e) {
                err.println(e.getMessage());
                return 1;
            }
        }
    }
}
