package io.syncline.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.core.config.NodeConfig;
import io.syncline.node.membership.Arrival;
import io.syncline.node.monitor.EndpointClient;
import io.syncline.node.monitor.StatusCheck;
import io.syncline.node.monitor.StatusReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code syncline status}: asks the running node (its {@code /status} on {@code metrics.listen})
 * for its links and origins and prints them, or with {@code --check} judges them for a
 * monitoring system (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the running node's links and origins (asks its /status on metrics.listen).")
final class StatusCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, description = "The node's YAML config file (metrics.listen must be set).")
    Path configFile;

    @Option(names = "--json", description = "Print the node's status report as JSON.")
    boolean json;

    @Option(names = "--check", description = "Judge the status: print one line and exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.")
    boolean check;

    @Option(names = "--lag-warning", defaultValue = "30s", converter = DurationConverter.class,
            description = "--check: lag p99 over the last minute from any origin that warns (default: ${DEFAULT-VALUE}).")
    Duration lagWarning;

    @Option(names = "--lag-critical", defaultValue = "5m", converter = DurationConverter.class,
            description = "--check: ... that is critical (default: ${DEFAULT-VALUE}).")
    Duration lagCritical;

    @Option(names = "--behind-warning", defaultValue = "10000",
            description = "--check: records behind on any link that warn (default: ${DEFAULT-VALUE}).")
    long behindWarning;

    @Option(names = "--behind-critical", defaultValue = "1000000",
            description = "--check: ... that are critical (default: ${DEFAULT-VALUE}).")
    long behindCritical;

    @Option(names = "--parked-warning", defaultValue = "1",
            description = "--check: parked (dead-letter) changes that warn; 0: never (default: ${DEFAULT-VALUE}).")
    long parkedWarning;

    @Option(names = "--timeout", defaultValue = "5s", converter = DurationConverter.class,
            description = "How long to wait for the node's answer (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int unknown = check ? StatusCheck.Verdict.UNKNOWN.ordinal() : 1;
        NodeConfig config = ConfigFiles.load(configFile, err);
        if (config == null) {
            return unknown;
        }
        if (config.metrics().listen().isEmpty()) {
            String joining = joiningInDatabase(config);
            println(check ? out : err, "SYNCLINE UNKNOWN - " + config.nodeId() + ": metrics.listen is not set in " + configFile
                    + ", so the node serves no /status to ask" + (joining == null ? "" : "; its database says: membership "
                    + joining));
            return unknown;
        }
        ObjectMapper mapper = StatusReport.json();
        StatusReport report;
        URI uri = null;
        try {
            EndpointClient client = EndpointClient.of(config.nodeId(), config.metrics());
            uri = client.uri("/status");
            EndpointClient.Response response = client.get("/status", timeout);
            if (response.status() != 200) {
                throw new IOException("HTTP " + response.status() + ": " + response.body().strip());
            }
            report = mapper.readValue(response.body(), StatusReport.class);
        } catch (IOException | RuntimeException e) {
            String joining = joiningInDatabase(config);
            println(check ? out : err, "SYNCLINE UNKNOWN - " + config.nodeId() + ": no status from "
                    + (uri == null ? "its endpoint" : uri) + " (" + e + "); " + (joining == null
                    ? "is the node running with this config?" : "its database says: membership " + joining));
            return unknown;
        }
        StatusCheck.Result result = new StatusCheck(lagWarning, lagCritical, behindWarning, behindCritical, parkedWarning)
                .judge(report);
        if (json) {
            Object document = report;
            if (check) {
                Map<String, Object> judged = new LinkedHashMap<>();
                judged.put("verdict", result.verdict().name());
                judged.put("findings", result.findings());
                judged.put("status", report);
                document = judged;
            }
            println(out, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(document));
        } else if (check) {
            println(out, result.summary(report.node()));
        } else {
            printTable(out, report);
        }
        return check ? result.verdict().ordinal() : 0;
    }

    /** A join in progress as the node's database records it (the node does not run then), or null. */
    private static String joiningInDatabase(NodeConfig config) {
        try (Connection connection = DriverManager.getConnection(config.database().url(), config.database().user(),
                config.database().password().reveal())) {
            return Arrival.describeJoining(connection, config.nodeId());
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    private static void printTable(PrintWriter out, StatusReport r) {
        StatusReport.Capture c = r.capture();
        out.printf("%s %s, %s; capture %s, %d transaction(s) published, slot %s retains %s%n", r.node(), r.state(),
                r.ready() ? "ready" : "NOT READY (" + String.join("; ", r.notReady()) + ")", c.state(), c.publishedTransactions(),
                c.slot(), bytes(c.walRetainedBytes()));
        if (r.membership() != null) {
            out.println("membership: " + r.membership());
        }
        out.println(r.routes());
        out.printf("%n%-12s %-22s %-10s %10s %12s %12s %14s %10s %10s %11s  %s%n", "LINK FROM", "ROLE", "STATE", "BEHIND",
                "BYTES BEHIND", "CATCH-UP", "APPLIED ROWS", "ROWS/S", "CONFLICTS", "QUARANTINED", "REASON");
        for (StatusReport.Link l : r.links()) {
            out.printf("%-12s %-22s %-10s %10s %12s %12s %14d %10.1f %10d %11d  %s%n", l.upstream(), l.role(), l.state(),
                    l.recordsBehind() == null ? "?" : l.recordsBehind(), l.bytesBehind() == null ? "?" : l.bytesBehind(),
                    catchUp(l), l.appliedRows(), l.appliedRowsPerS(), l.conflicts(), l.quarantined(),
                    l.reason() == null ? "" : l.reason());
        }
        out.printf("%n%-12s %10s %10s %10s %10s %18s %15s  %s%n", "ORIGIN", "APPLIED", "LAG P50", "LAG P99", "LAG MAX",
                "LAST APPLIED AGE", "HEARTBEAT AGE", "ALIVE");
        for (StatusReport.Origin o : r.origins()) {
            out.printf("%-12s %10d %10s %10s %10s %18s %15s  %s%n", o.origin(), o.lagSamples(), millis(o.lagP50Ms()),
                    millis(o.lagP99Ms()), millis(o.lagMaxMs()), seconds(o.lastAppliedAgeS()), seconds(o.heartbeatAgeS()),
                    o.alive() == null ? "-" : o.alive() ? "yes" : "NO");
        }
        out.printf("%n(lag over the last minute; APPLIED: transactions in it)%nconflicts since the node started: %d; parked"
                + " (syncline.dead_letter): %s%n", r.conflicts(), r.parked() == null ? "?" : r.parked());
        if (!r.tablesNotInConfig().isEmpty()) {
            out.printf("tables added with syncline ddl that tables: of the config does not name (they replicate with the"
                    + " default conflict policy; add them to tables:): %s%n", String.join(", ", r.tablesNotInConfig()));
        }
    }

    /** The estimate, or why there is none: {@code never} while the gap does not shrink. */
    private static String catchUp(StatusReport.Link l) {
        if (l.catchup() == null) {
            return "?";
        }
        return switch (l.catchup()) {
            case "CAUGHT_UP" -> "0 s";
            case "CATCHING_UP" -> seconds(l.catchupSeconds());
            case "NOT_CATCHING_UP" -> "never";
            default -> "?";
        };
    }

    private static String millis(long value) {
        return value + " ms";
    }

    private static String seconds(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.1f s", value);
    }

    private static String bytes(Long value) {
        if (value == null) {
            return "? bytes of WAL";
        }
        return value < 1024 * 1024 ? value + " bytes of WAL"
                : String.format(Locale.ROOT, "%.1f MiB of WAL", value / (1024.0 * 1024.0));
    }

    private static void println(PrintWriter writer, String line) {
        writer.println(line);
        writer.flush();
    }
}
