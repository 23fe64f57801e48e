package io.syncline.core.config.internal;

import io.syncline.core.config.ApplySettings;
import io.syncline.core.config.CaptureSettings;
import io.syncline.core.config.ConflictConfig;
import io.syncline.core.config.ConflictPolicy;
import io.syncline.core.config.ConflictRule;
import io.syncline.core.config.DatabaseConfig;
import io.syncline.core.config.KafkaConfig;
import io.syncline.core.config.MetricsSettings;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.PeerConfig;
import io.syncline.core.config.TableConfig;
import io.syncline.core.config.TableName;
import io.syncline.core.config.TopologyConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The whole file: its top-level keys, then the checks that span sections. */
final class RootSection extends Section<NodeConfig> {

    static final Setting<String> NODE = Setting.required("node", new NodeSection(), "this node's identity");
    static final Setting<DatabaseConfig> DATABASE = Setting.required("database", new DatabaseSection(),
            "this node's PostgreSQL");
    static final Setting<KafkaConfig> KAFKA = Setting.required("kafka", new KafkaSection(),
            "this node's own Kafka cluster, the only one it writes to");
    static final Setting<TopologyConfig> TOPOLOGY = Setting.required("topology", new TopologySection(),
            "the deployment's node graph, the same in every node's file");
    static final Setting<List<PeerConfig>> PEERS = Setting.withDefault("peers",
            ValueTypes.listOf(new PeerSection(), 0), List.of(),
            "the other nodes of the topology and their Kafka clusters; required for every node this one reads from");
    static final Setting<List<TableEntry>> TABLES = Setting.required("tables",
            ValueTypes.listOf(new TableSection(), 1), "the replicated tables");
    static final Setting<ConflictRule> CONFLICT = Setting.withDefault("conflict", new ConflictSection(),
            ConflictRule.of(ConflictPolicy.LWW), "the conflict rule of tables without one");
    static final Setting<CaptureSettings> CAPTURE = Setting.withDefault("capture", new CaptureSection(),
            CaptureSettings.defaults(), "how this node's own changes are batched for its outbox");
    static final Setting<ApplySettings> APPLY = Setting.withDefault("apply", new ApplySection(),
            ApplySettings.defaults(), "how this node applies its peers' changes");
    static final Setting<MetricsSettings> METRICS = Setting.withDefault("metrics", new MetricsSection(),
            MetricsSettings.disabled(), "the node's HTTP endpoint for metrics, health and status");
    static final Setting<Boolean> ALLOW_PLAINTEXT_SECRETS = Setting.withDefault("allow-plaintext-secrets",
            ValueTypes.BOOLEAN, false,
            "accept password keys written in this file in plain text (each logged as a warning), e.g. for a demo");

    @Override
    public List<Setting<?>> settings() {
        return List.of(NODE, DATABASE, KAFKA, TOPOLOGY, PEERS, TABLES, CONFLICT, CAPTURE, APPLY, METRICS, ALLOW_PLAINTEXT_SECRETS);
    }

    @Override
    Optional<NodeConfig> read(MapReader map) {
        LoadContext ctx = map.context();
        // Read first: it decides whether the secrets below are acceptable.
        ctx.allowPlaintextSecrets(ALLOW_PLAINTEXT_SECRETS.read(map).orElse(false));
        Optional<String> nodeId = NODE.read(map);
        Optional<DatabaseConfig> database = DATABASE.read(map);
        Optional<KafkaConfig> kafka = KAFKA.read(map);
        Optional<TopologyConfig> topology = TOPOLOGY.read(map);
        Optional<List<PeerConfig>> peers = PEERS.read(map);
        Optional<List<TableEntry>> tables = TABLES.read(map);
        Optional<ConflictRule> defaultRule = CONFLICT.read(map);
        Optional<CaptureSettings> capture = CAPTURE.read(map);
        Optional<ApplySettings> apply = APPLY.read(map);
        Optional<MetricsSettings> metrics = METRICS.read(map);

        if (nodeId.isPresent() && topology.isPresent()) {
            if (!topology.get().contains(nodeId.get())) {
                ctx.error("topology.nodes", "does not contain this node's id '" + nodeId.get()
                        + "' (node.id); expected " + nodeId.get() + " among the nodes");
            } else if (peers.isPresent()) {
                PeerChecks.check(nodeId.get(), topology.get(), peers.get(), ctx);
            }
        }
        if (topology.isPresent()) {
            defaultRule.ifPresent(rule -> OriginPriorityCheck.check(rule, CONFLICT.key(), topology.get(), ctx));
            tables.ifPresent(entries -> checkTableRules(entries, topology.get(), ctx));
        }
        tables.ifPresent(entries -> checkUniqueTables(entries, ctx));

        if (!allPresent(nodeId, database, kafka, topology, peers, tables, defaultRule, capture, apply, metrics)) {
            return Optional.empty();
        }
        List<TableConfig> tableConfigs = tables.get().stream()
                .map(t -> new TableConfig(t.name(), t.conflict().rule().orElse(defaultRule.get()),
                        t.conflict().columns(), t.location(), t.onError()))
                .toList();
        return Optional.of(new NodeConfig(ctx.file(), nodeId.get(), database.get(), kafka.get(), topology.get(),
                peers.get(), tableConfigs, new ConflictConfig(defaultRule.get()), capture.get(), apply.get(), metrics.get(),
                ctx.warnings()));
    }

    private static void checkTableRules(List<TableEntry> tables, TopologyConfig topology, LoadContext ctx) {
        for (int i = 0; i < tables.size(); i++) {
            String conflictPath = FieldPaths.child(FieldPaths.item(TABLES.key(), i), TableSection.CONFLICT.key());
            TableConflict conflict = tables.get(i).conflict();
            conflict.rule().ifPresent(rule -> OriginPriorityCheck.check(rule, conflictPath, topology, ctx));
            String columnsPath = FieldPaths.child(conflictPath, TableConflictSection.COLUMNS.key());
            conflict.columns().forEach(column -> OriginPriorityCheck.check(column.rule(),
                    FieldPaths.child(columnsPath, column.column()), topology, ctx));
        }
    }

    private static void checkUniqueTables(List<TableEntry> tables, LoadContext ctx) {
        Map<TableName, TableEntry> first = new HashMap<>();
        for (TableEntry table : tables) {
            TableEntry earlier = first.putIfAbsent(table.name(), table);
            if (earlier != null) {
                ctx.error(table.location(), table.namePath(), "duplicate table " + table.name() + " (also "
                        + earlier.namePath() + ", line " + earlier.location().line() + "); expected each table once");
            }
        }
    }

    /** The top-level keys, for the message about an empty file. */
    static List<String> topLevelKeys() {
        return new ArrayList<>(new RootSection().keys());
    }
}
