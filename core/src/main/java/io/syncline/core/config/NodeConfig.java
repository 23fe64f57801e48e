package io.syncline.core.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole configuration of one Syncline node, as loaded and validated by
 * {@link NodeConfigLoader}. Immutable and thread-safe; {@link #toString()} masks secrets,
 * so the effective config can be logged.
 *
 * @param source the file it was loaded from
 * @param nodeId this node's id ({@code node.id}), unique in the topology
 * @param database this node's PostgreSQL
 * @param kafka this node's own Kafka cluster; the node writes only here
 * @param topology the deployment's node graph; contains {@code nodeId}
 * @param peers the other nodes this node may read from, with their Kafka; includes every
 *     node of {@code topology.upstreamsOf(nodeId)}
 * @param tables the replicated tables, in file order, no table twice
 * @param conflict node-wide conflict settings (already applied to {@code tables})
 * @param capture how the capture batches this node's changes
 * @param apply how the node applies its peers' changes
 * @param metrics where the node serves metrics, health and status, if anywhere
 * @param warnings doubtful but accepted settings (e.g. a plain-text password that was
 *     allowed); the node logs them at start
 */
public record NodeConfig(
        Path source,
        String nodeId,
        DatabaseConfig database,
        KafkaConfig kafka,
        TopologyConfig topology,
        List<PeerConfig> peers,
        List<TableConfig> tables,
        ConflictConfig conflict,
        CaptureSettings capture,
        ApplySettings apply,
        MetricsSettings metrics,
        List<ConfigProblem> warnings) {

    public NodeConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(topology, "topology");
        peers = List.copyOf(peers);
        tables = List.copyOf(tables);
        Objects.requireNonNull(conflict, "conflict");
        Objects.requireNonNull(capture, "capture");
        Objects.requireNonNull(apply, "apply");
        Objects.requireNonNull(metrics, "metrics");
        warnings = List.copyOf(warnings);
    }

    /** The peer with id {@code id}, if configured. */
    public Optional<PeerConfig> peer(String id) {
        return peers.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /** The peers this node reads from in the configured topology, in topology order. */
    public List<PeerConfig> upstreamPeers() {
        return topology.upstreamsOf(nodeId).stream().map(id -> peer(id).orElseThrow()).toList();
    }
    /**
     * One line for the log at start: the node, its database (the URL without its parameters), its
     * Kafka, the topology and the tables. No secret appears.
     */
    public String summary() {
        String url = database.url();
        int parameters = url.indexOf('?');
        return "node " + nodeId + " (" + source + "): database " + database.user() + " at "
                + (parameters < 0 ? url : url.substring(0, parameters)) + ", kafka " + kafka.bootstrapServers() + ", "
                + topology.kind().configName() + " of " + topology.nodes() + ", " + tables.size() + " table(s), "
                + apply.writers() + " apply writer(s) per link";
    }
}
