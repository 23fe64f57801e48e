package io.syncline.node.runtime;

import com.zaxxer.hikari.HikariDataSource;
import io.syncline.apply.TransactionApplier;
import io.syncline.conflict.ConflictPolicies;
import io.syncline.conflict.OnErrorPolicies;
import io.syncline.connector.CaptureConfig;
import io.syncline.connector.HeartbeatProbe;
import io.syncline.connector.HeartbeatPublisher;
import io.syncline.connector.LocalCapture;
import io.syncline.connector.OutboxPublisher;
import io.syncline.connector.OutboxReader;
import io.syncline.connector.OutboxTopicSettings;
import io.syncline.connector.RecordValidator;
import io.syncline.core.config.DatabaseUrl;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.PeerConfig;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.node.internal.KafkaSettings;
import io.syncline.node.membership.MembershipRecord;
import io.syncline.node.metrics.KafkaClientMeters;
import io.syncline.node.metrics.LagHistogram;
import io.syncline.node.metrics.ReplicationMeters;
import io.syncline.schema.ReplicatedTables;
import io.syncline.schema.gc.TombstoneCollector;
import io.syncline.topology.LivenessTracker;
import io.syncline.topology.ReroutePolicy;
import io.syncline.topology.RoutePlan;
import io.syncline.topology.Router;
import io.syncline.topology.TopologyGraph;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Syncline node: the capture of its own database, one replication link per
 * upstream node, a heartbeat in its own Kafka, and a liveness monitor that reads the peers'
 * heartbeats and, when a peer is down, adds links around it ({@link Rerouter}). Start once,
 * close once; thread-safe.
 *
 * <p>This class is the node's wiring and lifecycle, and longer than most for that reason: what
 * starts, in which order, and how it all stops (the reverse, with the lease last) reads best in one
 * place. The parts that run are classes of their own: {@link RunningLinks}, {@link HeartbeatLoop},
 * {@link LeaseCheck}, {@link TombstoneCollection}, {@link MembershipWatch}.
 */
public final class SynclineNode implements AutoCloseable {

    /** Lifecycle; transitions by compare-and-set. */
    public enum State {
        CREATED,
        /** Waiting for the lease of its node id, held by another process ({@link #startStandby()}). */
        STANDBY,
        RUNNING,
        /** Lost its lease while running: stopped capturing and applying, for good. */
        FENCED,
        CLOSED
    }

    private static final Logger log = LoggerFactory.getLogger(SynclineNode.class);
    private static final Duration MAX_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /** How often tombstones are checked for collection and progress is reported to the peers. */
    static final Duration COLLECTION_INTERVAL = Duration.ofSeconds(2);
    private static final Duration CATCH_UP_CHECK = Duration.ofMillis(500);

    /** A link thread and its runnable. */

    private final NodeConfig config;
    private final Path dataDirectory;
    private final Clock clock;
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    private final ReplicationMeters meters;
    // Guarded by "this": the links running now, and the status of every link this node ever ran.
    private final RunningLinks links;
    private final AtomicLong parkedChanges = new AtomicLong();
    private volatile MembershipWatch membership;
    private HikariDataSource dataSource;
    private KafkaClientMeters kafkaClients;
    private LocalCapture capture;
    private OutboxPublisher forwarder;
    private Router router;
    private ConflictPolicies policies;
    private OnErrorPolicies onError;
    private volatile HeartbeatLoop heartbeat;
    private KafkaHeartbeatSource heartbeatSource;
    private LivenessTracker liveness;
    private Rerouter rerouter;
    private ScheduledExecutorService heartbeatTimer;
    private ScheduledExecutorService livenessTimer;
    private ScheduledExecutorService collectionTimer;
    private volatile TombstoneCollection collection;
    private volatile UnmanagedDdlWatch ddlWatch;
    private ReplicatedTables replicated;
    private volatile ReplicatedTableWatch tableWatch;
    private volatile NodeLease lease;
    private ScheduledExecutorService leaseTimer;
    private final CountDownLatch ended = new CountDownLatch(1);

    public SynclineNode(NodeConfig config, Path dataDirectory, Clock clock) {
        this.config = config;
        this.dataDirectory = dataDirectory;
        this.clock = clock;
        this.meters = new ReplicationMeters(clock);
        this.links = new RunningLinks(config.nodeId(), this::newLink);
    }

    public String nodeId() {
        return config.nodeId();
    }

    /**
     * Starts the capture, the heartbeat, the liveness monitor and the links; returns once the
     * capture streams from its slot.
     *
     * @throws io.syncline.connector.CaptureSetupException if the database is not prepared, with what to do
     */
    public void start() throws InterruptedException {
        if (!state.compareAndSet(State.CREATED, State.RUNNING)) {
            throw new IllegalStateException("node " + nodeId() + " was already started");
        }
        log.info("[{}] starting: {}", nodeId(), config.summary());
        log.debug("[{}] effective config: {}", nodeId(), config);
        config.warnings().forEach(w -> log.warn("[{}] {}", nodeId(), w.format()));
        try {
            lease = NodeLease.acquire(nodeId(), config.database(), config.topology().failureTimeout());
        } catch (SQLException e) {
            throw new IllegalStateException("[" + nodeId() + "] cannot take the lease of node " + nodeId()
                    + " on its database: " + e.getMessage(), e);
        }
        startActive();
    }

    /**
     * Waits as a standby until no other process holds this node id's lease (polling it), then
     * starts like {@link #start()}; returns early, without starting, when the node is closed meanwhile.
     * Another process that still holds the replication slot is waited for up to the failure timeout.
     */
    public void startStandby() throws InterruptedException {
        if (!state.compareAndSet(State.CREATED, State.STANDBY)) {
            throw new IllegalStateException("node " + nodeId() + " was already started");
        }
        log.info("[{}] starting as a standby: {}", nodeId(), config.summary());
        log.debug("[{}] effective config: {}", nodeId(), config);
        config.warnings().forEach(w -> log.warn("[{}] {}", nodeId(), w.format()));
        Duration failureTimeout = config.topology().failureTimeout();
        Optional<NodeLease> taken = NodeLease.await(nodeId(), config.database(), failureTimeout,
                LeaseCheck.standbyPollInterval(failureTimeout), () -> state.get() != State.STANDBY);
        if (taken.isEmpty()) {
            return;
        }
        lease = taken.get();
        long takenAt = System.nanoTime();
        if (!state.compareAndSet(State.STANDBY, State.RUNNING)) {
            lease.close();
            return;
        }
        LeaseCheck.awaitSlotReleased(lease, nodeId(), ReplicationSchema.slotName(nodeId()), failureTimeout);
        startActive();
        log.info("[{}] took over as the active node: running {} ms after taking the lease", nodeId(),
                (System.nanoTime() - takenAt) / 1_000_000);
    }

    private void startActive() throws InterruptedException {
        String prefix = "[" + nodeId() + "]";
        startLeaseCheck();
        TopologyGraph graph = TopologyGraph.of(config.topology());
        // Forwarding always follows the configured graph, also while peers are down (see RoutePlan).
        router = new Router(graph, nodeId());
        policies = ConflictPolicies.of(config);
        onError = OnErrorPolicies.of(config);
        Map<String, Object> ownKafka = KafkaSettings.of(config.kafka());
        dataSource = DataSources.createForApplier(nodeId(), config.database().url(), config.database().user(),
                config.database().password().reveal(),
                // Each link's writers hold a connection each while they apply.
                Math.max(config.database().poolSize(), config.topology().nodes().size() * config.apply().writers() + 1));
        dataSource.setMetricRegistry(meters.registry());
        replicated = new ReplicatedTables(config.tables(), config.conflict().defaultRule());
        tableWatch = new ReplicatedTableWatch(nodeId(), dataSource, replicated);
        try {
            tableWatch.start();
        } catch (SQLException e) {
            throw new IllegalStateException(prefix + " cannot read the tables added to replication ("
                    + ReplicationSchema.REPLICATED_TABLE_TABLE + "): " + e.getMessage(), e);
        }

        kafkaClients = new KafkaClientMeters(nodeId(), meters.registry());
        forwarder = new OutboxPublisher(nodeId(), "forward", ownKafka, kafkaClients);
        DatabaseUrl url = DatabaseUrl.parse(config.database().url());
        capture = new LocalCapture(new CaptureConfig(nodeId(), url.host(), url.port(), url.database(), config.database().user(),
                config.database().password().reveal(), replicated.all().stream().map(t -> t.name().qualified()).toList(),
                dataDirectory.resolve("capture"), ownKafka, CaptureConfig.DEFAULT_OFFSET_FLUSH_INTERVAL,
                config.capture().batchInterval(), url.parametersByName(), OutboxTopicSettings.of(config.capture())),
                kafkaClients);
        capture.start();
        if (!capture.awaitStreaming(Duration.ofSeconds(60))) {
            throw new IllegalStateException(prefix + " the capture did not start streaming within 60 s: "
                    + capture.failure().map(Throwable::getMessage).orElse("no error reported"));
        }
        startHeartbeat(ownKafka);

        Duration failureTimeout = config.topology().failureTimeout();
        Map<String, HeartbeatProbe> probes = new LinkedHashMap<>();
        for (String peer : graph.nodes()) {
            config.peer(peer).ifPresent(p -> probes.put(peer, new HeartbeatProbe(nodeId(), peer, KafkaSettings.of(p.kafka()))));
        }
        heartbeatSource = new KafkaHeartbeatSource(probes, checkInterval(failureTimeout));
        liveness = new LivenessTracker(probes.keySet(), failureTimeout, System::nanoTime);
        rerouter = new Rerouter(nodeId(), graph, ReroutePolicy.of(config.topology().kind()), config.topology().hub(), liveness,
                heartbeatSource, probes.keySet(), new Rerouter.Links() {
                    @Override
                    public void start(String upstream, Set<String> standsInFor) {
                        links.start(upstream, standsInFor);
                    }

                    @Override
                    public void stop(String upstream) {
                        links.stop(upstream);
                    }
                });
        RoutePlan plan = rerouter.start();
        livenessTimer = Executors.newSingleThreadScheduledExecutor(daemon("syncline-liveness-" + nodeId()));
        livenessTimer.scheduleWithFixedDelay(this::checkLiveness, checkInterval(failureTimeout).toMillis(),
                checkInterval(failureTimeout).toMillis(), TimeUnit.MILLISECONDS);
        startTombstoneCollection();
        log.info("{} running: capture streaming, {}; a peer counts as down after {} s without heartbeat", prefix,
                plan.describe(), failureTimeout.toSeconds());
    }

    private void startLeaseCheck() {
        leaseTimer = Executors.newSingleThreadScheduledExecutor(daemon("syncline-lease-" + nodeId()));
        LeaseCheck.schedule(leaseTimer, checkInterval(config.topology().failureTimeout()), lease, nodeId(),
                () -> state.compareAndSet(State.RUNNING, State.FENCED), () -> stopAll(true));
    }

    /** How often heartbeats are sent and checked: a quarter of the failure timeout, at most a second. */
    private static Duration checkInterval(Duration failureTimeout) {
        Duration quarter = failureTimeout.dividedBy(4);
        Duration interval = quarter.compareTo(MAX_HEARTBEAT_INTERVAL) < 0 ? quarter : MAX_HEARTBEAT_INTERVAL;
        return interval.toMillis() < 50 ? Duration.ofMillis(50) : interval;
    }

    private void startHeartbeat(Map<String, Object> ownKafka) throws InterruptedException {
        heartbeat = new HeartbeatLoop(nodeId(), new HeartbeatPublisher(nodeId(), ownKafka), links::stuck, clock);
        heartbeatTimer = Executors.newSingleThreadScheduledExecutor(daemon("syncline-heartbeat-" + nodeId()));
        heartbeat.start(heartbeatTimer, checkInterval(config.topology().failureTimeout()));
    }

    /** Whether this node withholds its heartbeat now because a configured link cannot apply (see the links' states). */
    public boolean heartbeatWithheld() {
        HeartbeatLoop loop = heartbeat;
        return loop != null && loop.withheld();
    }

    private void startTombstoneCollection() {
        collection = new TombstoneCollection(nodeId(), new TombstoneCollector(nodeId(), config.topology().nodes(), dataSource),
                COLLECTION_INTERVAL);
        ddlWatch = new UnmanagedDdlWatch(nodeId(), dataSource);
        collectionTimer = Executors.newSingleThreadScheduledExecutor(daemon("syncline-tombstones-" + nodeId()));
        collectionTimer.scheduleWithFixedDelay(collection::runOnce, COLLECTION_INTERVAL.toMillis(),
                COLLECTION_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        // On the same quiet thread: both read a few rows of the local database now and then.
        collectionTimer.scheduleWithFixedDelay(ddlWatch::check, 0, COLLECTION_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        collectionTimer.scheduleWithFixedDelay(tableWatch::check, COLLECTION_INTERVAL.toMillis(), COLLECTION_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        startCatchUp();
    }

    /** A node that syncline join copied: watched until its links read what was written during the copy. */
    private void startCatchUp() {
        membership = new MembershipWatch(nodeId(), dataSource);
        if (membership.start()) {
            collectionTimer.scheduleWithFixedDelay(() -> membership.check(links::status), 0, CATCH_UP_CHECK.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * {@code active}, or {@code catchup: <records left and estimate>} while a node that {@code syncline join}
     * copied reads what was written during the copy.
     */
    public String membership() {
        MembershipWatch watch = membership;
        return watch == null ? MembershipRecord.ACTIVE : watch.membership();
    }

    /**
     * Schema changes of replicated tables made in this node's database outside {@code syncline ddl}
     * and not yet cleared from {@code syncline.unmanaged_ddl}: they did not reach the other DCs.
     */
    public long unmanagedSchemaChanges() {
        UnmanagedDdlWatch watch = ddlWatch;
        return watch == null ? 0 : watch.count();
    }

    /**
     * Tables that joined replication while the nodes ran ({@code syncline ddl} of a {@code CREATE TABLE})
     * and that this node's config does not name, schema-qualified: each should be added to {@code tables:}.
     */
    public List<String> tablesNotInConfig() {
        ReplicatedTableWatch watch = tableWatch;
        return watch == null ? List.of() : watch.notInConfig();
    }

    private void checkLiveness() {
        try {
            rerouter.check();
        } catch (RuntimeException e) {
            // A failed check must not end the schedule; the next one tries again.
            log.warn("[{}] liveness check failed: {}", nodeId(), e.toString());
        }
    }

    /** Wires the link from {@code upstream}: its outbox reader with the record check, its applier, the forwarder. */
    private ReplicationLink newLink(String upstream, LinkStatus status) {
        PeerConfig peer = config.peer(upstream).orElseThrow(
                () -> new IllegalStateException("[" + nodeId() + "] no peer entry for upstream " + upstream));
        Map<String, Object> peerKafka = KafkaSettings.of(peer.kafka());
        TransactionApplier applier = new TransactionApplier(nodeId(), dataSource, policies, onError,
                new LinkApplyListener(upstream, meters, parkedChanges), TransactionApplier.DEFAULT_MAX_ROWS_PER_TRANSACTION, replicated,
                config.apply().writers());
        RecordValidator validator = new RecordValidator(upstream, Set.copyOf(config.topology().nodes()), tableWatch);
        return new ReplicationLink(nodeId(), upstream,
                () -> new OutboxReader(nodeId(), upstream, peerKafka, validator, kafkaClients),
                applier, () -> router, forwarder, status, meters, clock);
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    public State state() {
        return state.get();
    }

    public LocalCapture capture() {
        return capture;
    }

    /** The links running now (configured ones, plus links around dead nodes). */
    public List<LinkStatus> links() {
        return links.running();
    }

    /** Every link this node ran since it started, stopped ones included, for counting. */
    public List<LinkStatus> allLinks() {
        return links.all();
    }

    /** Peers' liveness, the current routes and links. */
    public NodeStatus status() {
        Rerouter current = rerouter;
        if (current == null) {
            return new NodeStatus(nodeId(), state(), "not started", Set.of(), List.of(), List.of());
        }
        return new NodeStatus(nodeId(), state(), current.plan().describe(), liveness.dead(), liveness.snapshot(), links());
    }

    /**
     * Dead letters written to {@code syncline.dead_letter} by this process, refused source transactions and
     * changes whose resolution failed (see {@code syncline conflicts retry}).
     */
    public long parkedChanges() {
        return parkedChanges.get();
    }

    /** Whether {@code syncline leave} is taking this node out of the deployment (seen at the last collection cycle). */
    public boolean leaving() {
        TombstoneCollection current = collection;
        return current != null && current.leaving();
    }

    /** Tombstones held in the local database at the last collection cycle (they wait until every peer applied past them). */
    public long tombstonesHeld() {
        TombstoneCollection current = collection;
        return current == null ? 0 : current.held();
    }

    /** Every lag sample since the node started (the demo's and bench's figures; see {@link #meters()} for current ones). */
    public LagHistogram lag() {
        return meters.sinceStart();
    }

    /** Lag, conflicts and the meter registry of this node's appliers. */
    public ReplicationMeters meters() {
        return meters;
    }

    /**
     * Waits until the node stopped: closed, or fenced after losing its lease.
     *
     * @return whether it stopped within {@code timeout}
     */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        if (previous != State.FENCED) {
            stopAll(false);
        }
        log.info("[{}] stopped", nodeId());
    }

    /**
     * Stops everything; when {@code fenced}, the pool first, which aborts the transactions in flight,
     * so that nothing is applied after the lease was lost. The lease goes last: until the capture has let go of
     * the slot, a standby must not take over.
     */
    private void stopAll(boolean fenced) {
        if (fenced && dataSource != null) {
            dataSource.close();
        }
        if (leaseTimer != null) {
            leaseTimer.shutdownNow();
            awaitTermination(leaseTimer);
        }
        if (livenessTimer != null) {
            livenessTimer.shutdownNow();
            awaitTermination(livenessTimer);
        }
        if (heartbeatTimer != null) {
            heartbeatTimer.shutdownNow();
            awaitTermination(heartbeatTimer);
        }
        if (collectionTimer != null) {
            collectionTimer.shutdownNow();
            awaitTermination(collectionTimer);
        }
        links.stopAll();
        // Each step runs even when one before it failed: a capture that throws while closing must not leave
        // this node's lease held, or the node could not be started again until this process exits.
        try {
            stopStep("the heartbeat reader", heartbeatSource);
            stopStep("the heartbeat publisher", heartbeat);
            stopStep("the capture", capture);
            stopStep("the forwarder", forwarder);
            stopStep("the Kafka client metrics", kafkaClients);
            stopStep("the connection pool", dataSource);
        } finally {
            if (lease != null) {
                lease.close();
            }
        }
        ended.countDown();
    }

    private void stopStep(String what, AutoCloseable component) {
        if (component == null) {
            return;
        }
        try {
            component.close();
        } catch (Exception e) {
            log.warn("[{}] stopping {} failed, going on with the rest of the stop: {}", nodeId(), what, e.toString(), e);
        }
    }

    private static void awaitTermination(ScheduledExecutorService executor) {
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
