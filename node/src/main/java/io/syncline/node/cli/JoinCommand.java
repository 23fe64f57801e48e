package io.syncline.node.cli;

import io.syncline.connector.OutboxReader;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.PeerConfig;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.node.internal.KafkaSettings;
import io.syncline.node.membership.Arrival;
import io.syncline.node.membership.JoinRefusedException;
import io.syncline.node.membership.MembershipRecord;
import io.syncline.node.membership.SeedPosition;
import io.syncline.node.membership.SnapshotCopy;
import io.syncline.node.membership.SourceSnapshot;
import io.syncline.node.membership.StartOffsets;
import io.syncline.node.runtime.NodeLease;
import io.syncline.topology.TopologyGraph;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code syncline join}: gives a node with empty tables a consistent copy of one peer's database,
 * rows with their versions and the tombstones, tied to the positions the copy corresponds to, so
 * that the node then reads every upstream from exactly there (docs/membership.md). Resumes where
 * it stopped when run again. Refuses, before copying anything, when an upstream outbox no longer
 * holds what the node would need.
 */
@Command(name = "join", description = "Copy a peer's replicated tables into this node's empty database, tied to the"
        + " positions the copy corresponds to; then start the node with syncline run. Run again to resume.")
final class JoinCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(JoinCommand.class);
    private static final Duration BOUNDS_TIMEOUT = Duration.ofSeconds(15);

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, description = "The joining node's YAML config file.")
    Path configFile;

    @Option(names = "--from-config", required = true, description = "The config file of the peer to copy from (its node id"
            + " and database are used; it must list the joining node in topology.nodes).")
    Path sourceConfigFile;

    @Option(names = "--chunk-rows", defaultValue = "" + SnapshotCopy.DEFAULT_CHUNK_ROWS, description = "Rows copied per transaction (default ${DEFAULT-VALUE}).")
    int chunkRows;

    @Option(names = "--copy-workers", defaultValue = "" + SnapshotCopy.DEFAULT_WORKERS, description = "Tables copied at once,"
            + " each on its own connections in the same snapshot (1-" + SnapshotCopy.MAX_WORKERS + "; default ${DEFAULT-VALUE}).")
    int copyWorkers;

    @Option(names = "--outbox-timeout", defaultValue = "2m", converter = DurationConverter.class,
            description = "How long reading one upstream outbox for the start offsets may take (default ${DEFAULT-VALUE}).")
    Duration outboxTimeout;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NodeConfig config = ConfigFiles.load(configFile, err);
        NodeConfig source = config == null ? null : ConfigFiles.load(sourceConfigFile, err);
        if (source == null) {
            return 1;
        }
        String node = config.nodeId();
        try {
            checkConfigs(config, source);
            return join(config, source, out);
        } catch (JoinRefusedException e) {
            log.warn("[{}] join refused: {}", node, e.getMessage());
            err.println("refused: " + e.getMessage());
            return 1;
        } catch (SQLException | KafkaException e) {
            log.error("[{}] join stopped: {}", node, e.getMessage());
            err.println("join stopped: " + e.getMessage() + "; fix the cause and run syncline join again (it resumes after"
                    + " the last copied chunk)");
            return 1;
        }
    }

    private static void checkConfigs(NodeConfig config, NodeConfig source) {
        String node = config.nodeId();
        String from = source.nodeId();
        if (from.equals(node)) {
            throw new JoinRefusedException("--from-config names " + node + " itself; give the config of the peer to copy from");
        }
        if (!config.topology().nodes().contains(from)) {
            throw new JoinRefusedException(from + " is not in topology.nodes of " + node + "'s config");
        }
        if (!source.topology().nodes().contains(node)) {
            // Its tombstone collection must wait for the new node from the start, or it may drop a tombstone the copy needs.
            throw new JoinRefusedException(node + " is not in topology.nodes of " + from + "'s config: add " + node
                    + " to topology.nodes (and peers) of every node's config and restart them one by one before joining"
                    + " (docs/membership.md)");
        }
    }

    private int join(NodeConfig config, NodeConfig source, PrintWriter out) throws SQLException, IOException {
        String node = config.nodeId();
        String from = source.nodeId();
        List<String> tables = new ArrayList<>(config.tables().stream().map(t -> t.name().qualified()).toList());
        tables.add(ReplicationSchema.TOMBSTONE_TABLE);
        if (chunkRows < 1) {
            throw new JoinRefusedException("--chunk-rows must be at least 1, not " + chunkRows);
        }
        if (copyWorkers < 1 || copyWorkers > SnapshotCopy.MAX_WORKERS) {
            throw new JoinRefusedException("--copy-workers must be between 1 and " + SnapshotCopy.MAX_WORKERS + ", not "
                    + copyWorkers);
        }
        try (Connection target = connect(config)) {
            if (!initialised(target)) {
                throw new JoinRefusedException("the database of " + node + " is not prepared: run syncline init --config "
                        + configFile + " first (on empty tables)");
            }
            if (NodeLease.isHeld(target, node)) {
                throw new JoinRefusedException("node " + node + " runs (a process holds its lease); stop it first");
            }
            Arrival arrival = new Arrival(node, target);
            MembershipRecord membership = arrival.membership();
            boolean resuming = MembershipRecord.JOINING.equals(membership.state());
            if (resuming && !from.equals(membership.joinedFrom())) {
                throw new JoinRefusedException(node + " is joining from " + membership.joinedFrom() + ", not " + from
                        + ": run syncline join again with --from-config of " + membership.joinedFrom());
            }
            if (MembershipRecord.CATCHUP.equals(membership.state()) || (MembershipRecord.ACTIVE.equals(membership.state())
                    && membership.joinedFrom() != null)) {
                out.printf("node %s has joined from %s already (%s); start it with syncline run --config %s%n", node,
                        membership.joinedFrom(), membership.state(), configFile);
                return 0;
            }
            if (!resuming && !MembershipRecord.ACTIVE.equals(membership.state())) {
                throw new JoinRefusedException("node " + node + " is " + membership.state() + " (" + ReplicationSchema.MEMBERSHIP_TABLE
                        + "); a node that left joins again with a new database");
            }
            if (!resuming) {
                String notEmpty = arrival.notEmpty(config.tables().stream().map(t -> t.name().qualified()).toList());
                if (notEmpty != null) {
                    throw new JoinRefusedException("the database of " + node + " is not empty: " + notEmpty + "; join copies"
                            + " into empty tables only (the copy would mix with what is there)");
                }
            }
            List<String> upstreams = upstreams(config);
            try (SourceSnapshot snapshot = SourceSnapshot.open(from, connect(source))) {
                if (resuming) {
                    out.printf("resuming the join of %s from %s: copying what is left from a new snapshot; the positions of"
                            + " the first snapshot stay (docs/membership.md)%n", node, from);
                } else {
                    StartOffsets starts = new StartOffsets(snapshot.positions(), outboxTimeout);
                    Map<String, Long> offsets = startOffsets(config, starts, snapshot, upstreams, out);
                    arrival.begin(from, withChainStarts(snapshot.positions(), starts.chainStarts()), offsets);
                    log.info("[{}] JOINING from {}: positions {}, start offsets {}", node, from, snapshot.positions(), offsets);
                }
                out.printf("JOINING: copying %d table(s) from %s%n", tables.size(), from);
                out.flush();
                long started = System.nanoTime();
                List<SnapshotCopy.TableResult> results = new SnapshotCopy(node, chunkRows, new JoinProgressLines(out))
                        .copy(snapshot.connection(), target, tables, copyWorkers, () -> connect(source), () -> connect(config));
                long rows = results.stream().mapToLong(SnapshotCopy.TableResult::copied).sum();
                long nanos = System.nanoTime() - started;
                out.printf("copied %,d row(s) in %.1f s (%,d rows/s)%n", rows, nanos / 1e9, TableProgressLines.rate(rows, nanos));
            }
            Map<String, Long> catchupTo = ends(config, upstreams);
            arrival.copied(catchupTo);
            SnapshotCopy.dropOrigin(target);
            log.info("[{}] copy from {} done: CATCHUP up to {}", node, from, catchupTo);
            out.printf("CATCHUP: start the node with syncline run --config %s; it reads %s from where the copy ends and is"
                    + " ACTIVE once it has read %s (syncline status shows it). Let the application write at %s only then.%n",
                    configFile, String.join(", ", upstreams), catchupTo, node);
            return 0;
        }
    }

    /** Where each upstream's outbox is read from; refuses when one no longer holds what the node needs. */
    private static Map<String, Long> startOffsets(NodeConfig config, StartOffsets starts, SourceSnapshot snapshot,
            List<String> upstreams, PrintWriter out) {
        Map<String, Long> offsets = new TreeMap<>();
        for (String upstream : upstreams) {
            Map<String, Object> kafka = scanSettings(config, upstream);
            Long sourceRead = snapshot.linkOffsets().get(upstream);
            StartOffsets.Start start = starts.of(upstream, () -> new OutboxReader(config.nodeId(), upstream, kafka),
                    sourceRead == null ? OptionalLong.empty() : OptionalLong.of(sourceRead), snapshot.sourceNode());
            if (start.offset() == StartOffsets.FROM_BEGINNING) {
                out.printf("%s: %s does not exist yet; read from its beginning once %s creates it%n", upstream, start.topic(),
                        upstream);
                continue;
            }
            out.printf("%s: read from offset %,d of %s (%,d record(s) after the copy's positions, up to its end at %,d)%n", upstream,
                    start.offset(), start.topic(), start.needed(), start.end());
            offsets.put(upstream, start.offset());
        }
        return offsets;
    }

    /** The copy's positions, with the chain starts the outboxes showed where the peer did not know them (its own chain). */
    private static List<SeedPosition> withChainStarts(Map<String, SeedPosition> positions, Map<String, Long> chainStarts) {
        List<SeedPosition> seeds = new ArrayList<>();
        for (SeedPosition seed : positions.values()) {
            Long start = chainStarts.get(seed.origin());
            seeds.add(seed.chainStart() >= 0 || start == null ? seed
                    : new SeedPosition(seed.origin(), seed.position(), seed.commitTimeMicros(), seed.identity(), start));
        }
        return seeds;
    }

    /** Each upstream outbox's end now: the node is caught up once it has read that far. */
    private static Map<String, Long> ends(NodeConfig config, List<String> upstreams) {
        Map<String, Long> ends = new TreeMap<>();
        for (String upstream : upstreams) {
            try (OutboxReader reader = new OutboxReader(config.nodeId(), upstream, scanSettings(config, upstream))) {
                ends.put(upstream, reader.exists(BOUNDS_TIMEOUT) ? reader.bounds(BOUNDS_TIMEOUT).end() : 0);
            }
        }
        return ends;
    }

    /** The upstream's Kafka settings; an outbox its node has not created yet stays uncreated (it creates it with its own settings). */
    private static Map<String, Object> scanSettings(NodeConfig config, String upstream) {
        Map<String, Object> settings = new HashMap<>(KafkaSettings.of(peer(config, upstream).kafka()));
        settings.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return settings;
    }

    private static List<String> upstreams(NodeConfig config) {
        return List.copyOf(TopologyGraph.of(config.topology()).predecessorsOf(config.nodeId()));
    }

    private static PeerConfig peer(NodeConfig config, String upstream) {
        return config.peer(upstream).orElseThrow(() -> new JoinRefusedException("no peers entry for upstream " + upstream
                + " in " + config.nodeId() + "'s config"));
    }

    private static boolean initialised(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            statement.setString(1, ReplicationSchema.JOIN_COPY_TABLE);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static Connection connect(NodeConfig config) throws SQLException {
        return DriverManager.getConnection(config.database().url(), config.database().user(), config.database().password().reveal());
    }
}
