package io.syncline.node.monitor;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.syncline.connector.LocalCapture;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.node.metrics.ReplicationMeters;
import io.syncline.node.runtime.LinkStatus;
import io.syncline.node.runtime.NodeStatus;
import io.syncline.node.runtime.SynclineNode;
import io.syncline.topology.LivenessTracker.PeerLiveness;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The node's state as Prometheus gauges and counters, next to what {@link ReplicationMeters}
 * records as it happens. Links, origins and peers come and go (a link around a dead node), so
 * {@link #refresh()} registers the meters of new ones and removes those of links that no longer
 * run; call it before each scrape. Labels are bounded by the topology (node ids) and by the
 * states of {@link LinkStatus.State} and {@link LocalCapture.State}. Not thread-safe: the
 * HTTP server calls it from one thread.
 */
final class NodeGauges implements AutoCloseable {

    private final SynclineNode node;
    private final MeterRegistry registry;
    private final Supplier<NodeSample> sample;
    private final Clock clock;
    private final Map<String, List<Meter>> linkMeters = new HashMap<>();
    private final Set<String> origins = new HashSet<>();
    private final Set<String> peers = new HashSet<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();

    NodeGauges(SynclineNode node, MeterRegistry registry, Supplier<NodeSample> sample, Clock clock) {
        this.node = node;
        this.registry = registry;
        this.sample = sample;
        this.clock = clock;
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        registerNodeMeters();
    }

    private void registerNodeMeters() {
        String version = SynclineNode.class.getPackage().getImplementationVersion();
        Gauge.builder("syncline.build.info", () -> 1)
                .description("Always 1; the labels name this node and its build")
                .tag("node", node.nodeId())
                .tag("version", version == null ? "development" : version)
                .register(registry);
        for (LocalCapture.State state : LocalCapture.State.values()) {
            Gauge.builder("syncline.capture.state", () -> captureState() == state ? 1 : 0)
                    .description("1 for the capture's current state, 0 for the others")
                    .tag("state", state.name())
                    .register(registry);
        }
        FunctionCounter.builder("syncline.capture.published.transactions", node,
                        n -> n.capture() == null ? 0 : n.capture().publishedTransactions())
                .description("Local source transactions the capture published to this node's outbox")
                .register(registry);
        String slot = ReplicationSchema.slotName(node.nodeId());
        Gauge.builder("syncline.slot.wal.retained", () -> orNaN(sample.get().walRetained()))
                .description("WAL the capture's replication slot keeps on disk: current WAL position minus restart_lsn")
                .baseUnit("bytes").tag("slot", slot).register(registry);
        Gauge.builder("syncline.slot.wal.unconfirmed", () -> orNaN(sample.get().walPending()))
                .description("WAL the capture has not confirmed yet: current WAL position minus confirmed_flush_lsn")
                .baseUnit("bytes").tag("slot", slot).register(registry);
        Gauge.builder("syncline.dead.letter.changes", () -> orNaN(sample.get().deadLetter()))
                .description("Row changes parked in syncline.dead_letter, waiting for syncline conflicts retry")
                .register(registry);
        Gauge.builder("syncline.unmanaged.schema.changes", node, SynclineNode::unmanagedSchemaChanges)
                .description("Schema changes of replicated tables made here outside syncline ddl, recorded in"
                        + " syncline.unmanaged_ddl: they did not reach the other DCs")
                .register(registry);
        Gauge.builder("syncline.ready", () -> Readiness.problems(node, sample.get(), clock).isEmpty() ? 1 : 0)
                .description("1 when /readyz answers 200: the database and this node's Kafka answer and the capture runs")
                .register(registry);
    }

    private LocalCapture.State captureState() {
        LocalCapture capture = node.capture();
        return capture == null ? LocalCapture.State.CREATED : capture.state();
    }

    /** Registers the meters of links, origins and peers seen for the first time; drops those of links that stopped. */
    void refresh() {
        NodeStatus status = node.status();
        Set<String> running = new HashSet<>();
        for (LinkStatus link : status.links()) {
            running.add(link.upstream());
            linkMeters.computeIfAbsent(link.upstream(), upstream -> registerLink(link));
        }
        linkMeters.entrySet().removeIf(e -> {
            if (running.contains(e.getKey())) {
                return false;
            }
            e.getValue().forEach(registry::remove);
            return true;
        });
        for (String origin : node.meters().origins().keySet()) {
            if (origins.add(origin)) {
                Gauge.builder("syncline.origin.last.applied.age", () -> lastAppliedAgeSeconds(origin))
                        .description("Now minus the origin commit time of the newest change of this origin applied here")
                        .baseUnit("seconds").tag("origin", origin).register(registry);
            }
        }
        for (PeerLiveness peer : status.peers()) {
            if (peers.add(peer.peer())) {
                Gauge.builder("syncline.peer.heartbeat.age", () -> heartbeatAgeSeconds(peer.peer()))
                        .description("How long this node has seen no new heartbeat of the peer")
                        .baseUnit("seconds").tag("peer", peer.peer()).register(registry);
            }
        }
    }

    private List<Meter> registerLink(LinkStatus link) {
        String upstream = link.upstream();
        List<Meter> meters = new ArrayList<>();
        for (LinkStatus.State state : LinkStatus.State.values()) {
            meters.add(Gauge.builder("syncline.link.state", () -> link.state() == state ? 1 : 0)
                    .description("1 for the link's current state, 0 for the others")
                    .tags("upstream", upstream, "state", state.name())
                    .register(registry));
        }
        meters.add(Gauge.builder("syncline.link.records.behind", () -> recordsBehind(upstream))
                .description("The upstream outbox's end offset minus the next offset this link applies (Kafka records and"
                        + " transaction markers); the last known end offset while the upstream's Kafka does not answer")
                .tag("upstream", upstream).register(registry));
        meters.add(Gauge.builder("syncline.link.quarantined.records", link, LinkStatus::quarantined)
                .description("Records read by this link that failed validation and wait in syncline.quarantine")
                .tag("upstream", upstream).register(registry));
        // In bytes; no base unit, which Micrometer would append as a second "_bytes" to the name.
        meters.add(Gauge.builder("syncline.link.bytes.behind", () -> linkFact(upstream, NodeSample.LinkFacts::bytesBehind))
                .description("Bytes behind: records behind times the mean bytes per outbox offset this link read (transaction"
                        + " bodies)")
                .tag("upstream", upstream).register(registry));
        meters.add(Gauge.builder("syncline.link.catchup", () -> linkFact(upstream, f -> f.catchUp().seconds()))
                .description("Records behind over the rate they shrank in the last 30 s (apply rate net of the upstream's"
                        + " publish rate): 0 caught up, +Inf not catching up, NaN unknown")
                .baseUnit("seconds").tag("upstream", upstream).register(registry));
        meters.add(FunctionCounter.builder("syncline.link.applied.rows", link, LinkStatus::appliedRows)
                .description("Row changes this link wrote").tag("upstream", upstream).register(registry));
        meters.add(FunctionCounter.builder("syncline.link.applied.transactions", link, LinkStatus::appliedTransactions)
                .description("Source transactions this link applied").tag("upstream", upstream).register(registry));
        return meters;
    }

    private double recordsBehind(String upstream) {
        NodeSample.LinkFacts facts = sample.get().links().get(upstream);
        return facts == null ? Double.NaN : orNaN(facts.recordsBehind());
    }

    private double linkFact(String upstream, java.util.function.ToDoubleFunction<NodeSample.LinkFacts> fact) {
        NodeSample.LinkFacts facts = sample.get().links().get(upstream);
        return facts == null ? Double.NaN : fact.applyAsDouble(facts);
    }

    private double lastAppliedAgeSeconds(String origin) {
        ReplicationMeters.OriginLag lag = node.meters().origins().get(origin);
        if (lag == null || lag.lastAppliedCommitMillis().isEmpty()) {
            return Double.NaN;
        }
        return Math.max(0, clock.millis() - lag.lastAppliedCommitMillis().getAsLong()) / 1000.0;
    }

    private double heartbeatAgeSeconds(String peer) {
        return node.status().peers().stream().filter(p -> p.peer().equals(peer)).findFirst()
                .map(p -> p.silentFor().toMillis() / 1000.0).orElse(Double.NaN);
    }

    private static double orNaN(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : Double.NaN;
    }

    @Override
    public void close() {
        gc.close();
    }
}
