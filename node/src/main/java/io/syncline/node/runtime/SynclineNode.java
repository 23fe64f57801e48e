package io.syncline.node.runtime;

import com.zaxxer.hikari.HikariDataSource;
import io.syncline.conflict.ApplyListener;
import io.syncline.conflict.ConflictPolicies;
import io.syncline.conflict.TransactionApplier;
import io.syncline.connector.CaptureConfig;
import io.syncline.connector.LocalCapture;
import io.syncline.connector.OutboxPublisher;
import io.syncline.connector.OutboxReader;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.PeerConfig;
import io.syncline.node.internal.DataSources;
import io.syncline.node.internal.KafkaSettings;
import io.syncline.node.metrics.LagHistogram;
import io.syncline.topology.Router;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Syncline node: the capture of its own database and one replication link per
 * upstream node. Start once, close once; thread-safe.
 */
public final class SynclineNode implements AutoCloseable {

    /** Lifecycle; transitions by compare-and-set. */
    public enum State {
        CREATED,
        RUNNING,
        CLOSED
    }

    private static final Logger log = LoggerFactory.getLogger(SynclineNode.class);

    private final NodeConfig config;
    private final Path dataDirectory;
    private final Clock clock;
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    private final LagHistogram lag = new LagHistogram();
    private final List<LinkStatus> linkStatuses = new ArrayList<>();
    private final List<ReplicationLink> links = new ArrayList<>();
    private final List<Thread> linkThreads = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong parkedChanges = new java.util.concurrent.atomic.AtomicLong();
    private final ApplyListener applyListener = new ApplyListener() {
        @Override
        public void changeParked(io.syncline.conflict.ParkedChange parked) {
            parkedChanges.incrementAndGet();
        }
    };
    private HikariDataSource dataSource;
    private LocalCapture capture;
    private OutboxPublisher forwarder;

    public SynclineNode(NodeConfig config, Path dataDirectory, Clock clock) {
        this.config = config;
        this.dataDirectory = dataDirectory;
        this.clock = clock;
    }

    public String nodeId() {
        return config.nodeId();
    }

    /**
     * Starts the capture and the links; returns once the capture streams from its slot.
     *
     * @throws io.syncline.connector.CaptureSetupException if the database is not prepared, with what to do
     */
    public void start() throws InterruptedException {
        if (!state.compareAndSet(State.CREATED, State.RUNNING)) {
            throw new IllegalStateException("node " + nodeId() + " was already started");
        }
        String prefix = "[" + nodeId() + "]";
        log.info("{} starting with {}", prefix, config);
        config.warnings().forEach(w -> log.warn("{} {}", prefix, w.format()));
        Router router = new Router(NodeTopology.graphOf(config.topology()), nodeId());
        Map<String, Object> ownKafka = KafkaSettings.of(config.kafka());
        List<String> upstreams = new ArrayList<>(router.upstreams());
        dataSource = DataSources.createForApplier(nodeId(), config.database().url(), config.database().user(),
                config.database().password().reveal(), Math.max(config.database().poolSize(), upstreams.size() + 1));

        forwarder = new OutboxPublisher(nodeId(), "forward", ownKafka);
        JdbcUrl url = JdbcUrl.parse(config.database().url());
        capture = new LocalCapture(new CaptureConfig(nodeId(), url.host(), url.port(), url.database(), config.database().user(),
                config.database().password().reveal(), config.tables().stream().map(t -> t.name().qualified()).toList(),
                dataDirectory.resolve("capture"), ownKafka));
        capture.start();
        if (!capture.awaitStreaming(Duration.ofSeconds(60))) {
            throw new IllegalStateException(prefix + " the capture did not start streaming within 60 s: "
                    + capture.failure().map(Throwable::getMessage).orElse("no error reported"));
        }

        ConflictPolicies policies = ConflictPolicies.of(config);
        for (String upstream : upstreams) {
            PeerConfig peer = config.peer(upstream).orElseThrow(
                    () -> new IllegalStateException(prefix + " no peer entry for upstream " + upstream));
            Map<String, Object> peerKafka = KafkaSettings.of(peer.kafka());
            LinkStatus status = new LinkStatus(upstream);
            TransactionApplier applier = new TransactionApplier(nodeId(), dataSource, policies,
                    applyListener, TransactionApplier.DEFAULT_MAX_ROWS_PER_TRANSACTION);
            ReplicationLink link = new ReplicationLink(nodeId(), upstream, () -> new OutboxReader(nodeId(), upstream, peerKafka),
                    applier, () -> router, forwarder, status, lag, clock);
            Thread thread = new Thread(link, "syncline-link-" + nodeId() + "-from-" + upstream);
            thread.setDaemon(true);
            links.add(link);
            linkStatuses.add(status);
            linkThreads.add(thread);
            thread.start();
        }
        log.info("{} running: capture streaming, reading from {}", prefix, upstreams);
    }

    public State state() {
        return state.get();
    }

    public LocalCapture capture() {
        return capture;
    }

    public List<LinkStatus> links() {
        return List.copyOf(linkStatuses);
    }

    /** Row changes parked in {@code syncline.dead_letter} by this process (see {@code syncline conflicts retry}). */
    public long parkedChanges() {
        return parkedChanges.get();
    }

    public LagHistogram lag() {
        return lag;
    }

    @Override
    public void close() {
        if (!state.compareAndSet(State.RUNNING, State.CLOSED) && !state.compareAndSet(State.CREATED, State.CLOSED)) {
            return;
        }
        links.forEach(ReplicationLink::stop);
        for (Thread thread : linkThreads) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (capture != null) {
            capture.close();
        }
        if (forwarder != null) {
            forwarder.close();
        }
        if (dataSource != null) {
            dataSource.close();
        }
        log.info("[{}] stopped", nodeId());
    }
}
