package io.syncline.node.runtime;

import com.zaxxer.hikari.HikariDataSource;
import io.syncline.apply.ApplyListener;
import io.syncline.apply.ApplyResult;
import io.syncline.apply.ParkedChange;
import io.syncline.apply.TransactionApplier;
import io.syncline.conflict.ConflictPolicies;
import io.syncline.conflict.OnErrorPolicies;
import io.syncline.conflict.ResolvedConflict;
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
import io.syncline.core.error.FailureKind;
import io.syncline.core.error.SqlStates;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.node.internal.KafkaSettings;
import io.syncline.node.membership.Arrival;
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
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
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
    private static final Duration LINK_STOP_WAIT = Duration.ofSeconds(30);
    /** How often tombstones are checked for collection and progress is reported to the peers. */
    static final Duration COLLECTION_INTERVAL = Duration.ofSeconds(2);
    private static final Duration CATCH_UP_CHECK = Duration.ofMillis(500);
    private static final Duration CATCH_UP_LOG = Duration.ofSeconds(10);

    /** A link thread and its runnable. */
    private record RunningLink(ReplicationLink link, Thread thread) {}

    private final NodeConfig config;
    private final Path dataDirectory;
    private final Clock clock;
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    private final ReplicationMeters meters;
    // Guarded by "this": the links running now, and the status of every link this node ever ran.
    private final Map<String, RunningLink> runningLinks = new LinkedHashMap<>();
    private final Map<String, LinkStatus> linkStatuses = new LinkedHashMap<>();
    private final AtomicLong parkedChanges = new AtomicLong();
    private final AtomicLong tombstones = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean heartbeatWithheld = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean leaving = new java.util.concurrent.atomic.AtomicBoolean();
    // "active", or "catchup: ..." while a node that syncline join copied reads what was written during the copy.
    private volatile String membership = MembershipRecord.ACTIVE;
    private CatchUp catchUp;
    private long catchUpLoggedAt;
    private final ApplyListener applyListener = new ApplyListener() {
        @Override
        public void changeParked(ParkedChange parked) {
            parkedChanges.incrementAndGet();
            meters.changeParked();
        }

        @Override
        public void conflictResolved(ResolvedConflict conflict) {
            meters.conflictResolved(conflict);
        }
    };
    private HikariDataSource dataSource;
    private KafkaClientMeters kafkaClients;
    private LocalCapture capture;
    private OutboxPublisher forwarder;
    private Router router;
    private ConflictPolicies policies;
    private OnErrorPolicies onError;
    private HeartbeatPublisher heartbeat;
    private KafkaHeartbeatSource heartbeatSource;
    private LivenessTracker liveness;
    private Rerouter rerouter;
    private ScheduledExecutorService heartbeatTimer;
    private ScheduledExecutorService livenessTimer;
    private ScheduledExecutorService collectionTimer;
    private TombstoneCollector collector;
    /** The permanent failure of tombstone collection last logged at WARN, so that it is not repeated every cycle. */
    private String collectionFailure;
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
                leasePollInterval(failureTimeout), () -> state.get() != State.STANDBY);
        if (taken.isEmpty()) {
            return;
        }
        lease = taken.get();
        long takenAt = System.nanoTime();
        if (!state.compareAndSet(State.STANDBY, State.RUNNING)) {
            lease.close();
            return;
        }
        awaitSlotReleased(failureTimeout);
        startActive();
        log.info("[{}] took over as the active node: running {} ms after taking the lease", nodeId(),
                (System.nanoTime() - takenAt) / 1_000_000);
    }

    /** How often a standby tries the lease: a tenth of the failure timeout, 50 ms to 1 s. */
    static Duration leasePollInterval(Duration failureTimeout) {
        long millis = Math.max(50, Math.min(1000, failureTimeout.toMillis() / 10));
        return Duration.ofMillis(millis);
    }

    /** The killed predecessor's walsender may hold the slot a moment longer than its lease session. */
    private void awaitSlotReleased(Duration timeout) throws InterruptedException {
        String slot = ReplicationSchema.slotName(nodeId());
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (lease.slotActivePid(slot).isPresent()) {
                if (System.nanoTime() > deadline) {
                    log.warn("[{}] replication slot {} is still in use by PostgreSQL backend pid {} after {} s; starting"
                            + " the capture anyway (Debezium retries until the slot is free)", nodeId(), slot,
                            lease.slotActivePid(slot).orElse(-1), timeout.toSeconds());
                    return;
                }
                Thread.sleep(50);
            }
        } catch (SQLException e) {
            log.warn("[{}] cannot see whether replication slot {} is free: {}", nodeId(), slot, e.getMessage());
        }
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
                        startLink(upstream, standsInFor);
                    }

                    @Override
                    public void stop(String upstream) {
                        stopLink(upstream);
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

    /**
     * Checks the lease as often as heartbeats are sent. A node that can no longer show that it holds
     * its lease stops capturing and applying at once: a standby may already have taken over.
     */
    private void startLeaseCheck() {
        leaseTimer = Executors.newSingleThreadScheduledExecutor(daemon("syncline-lease-" + nodeId()));
        long interval = checkInterval(config.topology().failureTimeout()).toMillis();
        leaseTimer.scheduleWithFixedDelay(() -> {
            if (!lease.verify() && state.compareAndSet(State.RUNNING, State.FENCED)) {
                log.error("[{}] lost its lease on {} ({}): stopping capture and apply now, since this process can no"
                        + " longer prove it is the only active node {}; a standby may have taken over. Restart it (with"
                        + " --standby to wait for the lease)", nodeId(), lease.where(), lease.lossReason(), nodeId());
                // Off this timer's thread: stopping waits for the timers to end.
                Thread stopper = new Thread(() -> stopAll(true), "syncline-fence-" + nodeId());
                stopper.setDaemon(true);
                stopper.start();
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** How often heartbeats are sent and checked: a quarter of the failure timeout, at most a second. */
    private static Duration checkInterval(Duration failureTimeout) {
        Duration quarter = failureTimeout.dividedBy(4);
        Duration interval = quarter.compareTo(MAX_HEARTBEAT_INTERVAL) < 0 ? quarter : MAX_HEARTBEAT_INTERVAL;
        return interval.toMillis() < 50 ? Duration.ofMillis(50) : interval;
    }

    private void startHeartbeat(Map<String, Object> ownKafka) throws InterruptedException {
        heartbeat = new HeartbeatPublisher(nodeId(), ownKafka);
        try {
            heartbeat.ensureTopic();
        } catch (ExecutionException e) {
            // Not fatal: the first beat creates the topic if the broker allows it; until then peers see silence.
            log.warn("[{}] could not create the heartbeat topic: {}", nodeId(), e.getCause() == null ? e : e.getCause());
        }
        heartbeat.beat(clock.millis());
        Duration interval = checkInterval(config.topology().failureTimeout());
        heartbeatTimer = Executors.newSingleThreadScheduledExecutor(daemon("syncline-heartbeat-" + nodeId()));
        heartbeatTimer.scheduleAtFixedRate(this::beatWhileApplying, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Beats only while every configured link applies. A link that stopped (FAILED) or waits for the
     * local schema (SCHEMA_MISMATCH) no longer reads its upstream's outbox, so it forwards nothing
     * either: the nodes behind this one would starve. Withholding the heartbeat makes the peers treat
     * this node as down and read around it (a ring closes around it, {@link Rerouter}), while they keep
     * reading this node's own outbox; beating resumes once the link applies again.
     */
    private void beatWhileApplying() {
        List<String> stuck = stuckLinks();
        if (stuck.isEmpty()) {
            if (heartbeatWithheld.compareAndSet(true, false)) {
                log.info("[{}] every link applies again; sending heartbeats again", nodeId());
            }
            heartbeat.beat(clock.millis());
        } else if (heartbeatWithheld.compareAndSet(false, true)) {
            log.warn("[{}] the link(s) from {} cannot apply: withholding heartbeats, so that peers route around this node"
                    + " until it applies again (see the link's state and last error)", nodeId(), stuck);
        }
    }

    /** The upstreams of configured links that stopped applying (FAILED or SCHEMA_MISMATCH). */
    private synchronized List<String> stuckLinks() {
        return runningLinks.keySet().stream().map(linkStatuses::get)
                .filter(link -> link.standsInFor().isEmpty())
                .filter(link -> link.state() == LinkStatus.State.FAILED || link.state() == LinkStatus.State.SCHEMA_MISMATCH)
                .map(LinkStatus::upstream).toList();
    }

    /** Whether this node withholds its heartbeat now because a configured link cannot apply (see the links' states). */
    public boolean heartbeatWithheld() {
        return heartbeatWithheld.get();
    }

    private void startTombstoneCollection() {
        collector = new TombstoneCollector(nodeId(), config.topology().nodes(), dataSource);
        ddlWatch = new UnmanagedDdlWatch(nodeId(), dataSource);
        collectionTimer = Executors.newSingleThreadScheduledExecutor(daemon("syncline-tombstones-" + nodeId()));
        collectionTimer.scheduleWithFixedDelay(this::collectTombstones, COLLECTION_INTERVAL.toMillis(),
                COLLECTION_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        // On the same quiet thread: both read a few rows of the local database now and then.
        collectionTimer.scheduleWithFixedDelay(ddlWatch::check, 0, COLLECTION_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        collectionTimer.scheduleWithFixedDelay(tableWatch::check, COLLECTION_INTERVAL.toMillis(), COLLECTION_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        startCatchUp();
    }

    /** A node that syncline join copied: watched until its links read what was written during the copy. */
    private void startCatchUp() {
        MembershipRecord record;
        try (Connection connection = dataSource.getConnection()) {
            record = MembershipRecord.read(connection, nodeId());
        } catch (SQLException e) {
            log.warn("[{}] cannot read this node's membership ({}); taking it as active: {}", nodeId(),
                    ReplicationSchema.MEMBERSHIP_TABLE, e.getMessage());
            return;
        }
        if (!MembershipRecord.CATCHUP.equals(record.state())) {
            return;
        }
        catchUp = new CatchUp(record.catchupTo());
        membership = MembershipRecord.CATCHUP;
        log.info("[{}] CATCHUP after syncline join from {}: reading what was written during the copy, up to {};"
                + " let the application write here once the node is ACTIVE", nodeId(), record.joinedFrom(), record.catchupTo());
        catchUpLoggedAt = System.nanoTime();
        collectionTimer.scheduleWithFixedDelay(this::checkCatchUp, 0, CATCH_UP_CHECK.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void checkCatchUp() {
        if (catchUp == null) {
            return;
        }
        long now = System.nanoTime();
        CatchUp.Progress progress;
        synchronized (this) {
            progress = catchUp.check(linkStatuses::get, now);
        }
        if (!progress.done()) {
            membership = MembershipRecord.CATCHUP + ": " + progress.describe();
            if (now - catchUpLoggedAt >= CATCH_UP_LOG.toNanos()) {
                catchUpLoggedAt = now;
                log.info("[{}] CATCHUP: {}", nodeId(), progress.describe());
            }
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            Arrival.activate(connection, nodeId());
        } catch (SQLException e) {
            log.warn("[{}] caught up, but cannot record it in {} ({}); trying again", nodeId(),
                    ReplicationSchema.MEMBERSHIP_TABLE, e.getMessage());
            return;
        }
        catchUp = null;
        membership = MembershipRecord.ACTIVE;
        log.info("[{}] ACTIVE: caught up with every upstream after syncline join; the application may write here", nodeId());
    }

    /**
     * {@code active}, or {@code catchup: <records left and estimate>} while a node that {@code syncline join}
     * copied reads what was written during the copy.
     */
    public String membership() {
        return membership;
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

    private void collectTombstones() {
        try {
            TombstoneCollector.Cycle cycle = collector.runOnce();
            tombstones.set(cycle.pending());
            if (collectionFailure != null) {
                log.info("[{}] tombstone collection works again", nodeId());
                collectionFailure = null;
            }
            if (leaving.getAndSet(cycle.leaving()) != cycle.leaving()) {
                if (cycle.leaving()) {
                    log.warn("[{}] this node is leaving the deployment (syncline leave): it waits for its peers to apply what it"
                            + " captured; stop the application's writes here, and stop the node when syncline leave says so",
                            nodeId());
                } else {
                    log.info("[{}] this node no longer leaves the deployment (syncline leave gave up)", nodeId());
                }
            }
            if (cycle.collected() > 0) {
                log.info("[{}] collected {} tombstone(s) every peer has applied past; {} held", nodeId(), cycle.collected(),
                        cycle.pending());
            }
        } catch (java.sql.SQLException | RuntimeException e) {
            // A concurrent apply (serialization failure) or a database outage passes: the next cycle tries again.
            // Anything else (a missing table, a refused privilege) fails every cycle while tombstones pile up: say so.
            boolean passing = SqlStates.firstIn(e).flatMap(SqlStates::kindOf).orElse(FailureKind.PERMANENT)
                    == FailureKind.RETRIABLE;
            if (passing || e.toString().equals(collectionFailure)) {
                log.debug("[{}] tombstone collection cycle failed: {}", nodeId(), e.toString());
            } else {
                log.warn("[{}] tombstone collection fails: {}; tombstones are kept until it works again (tried every {} s)",
                        nodeId(), e.toString(), COLLECTION_INTERVAL.toSeconds());
                collectionFailure = e.toString();
            }
        }
    }

    private void checkLiveness() {
        try {
            rerouter.check();
        } catch (RuntimeException e) {
            // A failed check must not end the schedule; the next one tries again.
            log.warn("[{}] liveness check failed: {}", nodeId(), e.toString());
        }
    }

    /** The node's apply listener, and the meters of one link: its lock waits and its target transactions' sizes. */
    private ApplyListener linkApplyListener(String upstream) {
        return new ApplyListener() {
            @Override
            public void changeParked(ParkedChange parked) {
                applyListener.changeParked(parked);
            }

            @Override
            public void conflictResolved(ResolvedConflict conflict) {
                applyListener.conflictResolved(conflict);
            }

            @Override
            public void targetTransactionCommitted(ApplyResult result) {
                meters.targetTransactionCommitted(upstream, result.rowsWritten() + result.rowsSkipped());
            }

            @Override
            public void lockWaited(Duration waited) {
                meters.lockWaited(upstream, waited);
            }
        };
    }

    private synchronized void startLink(String upstream, Set<String> standsInFor) {
        String prefix = "[" + nodeId() + "]";
        PeerConfig peer = config.peer(upstream).orElseThrow(
                () -> new IllegalStateException(prefix + " no peer entry for upstream " + upstream));
        Map<String, Object> peerKafka = KafkaSettings.of(peer.kafka());
        LinkStatus status = linkStatuses.computeIfAbsent(upstream, LinkStatus::new);
        status.standsInFor(standsInFor);
        TransactionApplier applier = new TransactionApplier(nodeId(), dataSource, policies, onError,
                linkApplyListener(upstream), TransactionApplier.DEFAULT_MAX_ROWS_PER_TRANSACTION, replicated,
                config.apply().writers());
        RecordValidator validator = new RecordValidator(upstream, Set.copyOf(config.topology().nodes()), tableWatch);
        ReplicationLink link = new ReplicationLink(nodeId(), upstream,
                () -> new OutboxReader(nodeId(), upstream, peerKafka, validator, kafkaClients),
                applier, () -> router, forwarder, status, meters, clock);
        Thread thread = new Thread(link, "syncline-link-" + nodeId() + "-from-" + upstream);
        thread.setDaemon(true);
        runningLinks.put(upstream, new RunningLink(link, thread));
        thread.start();
        if (!standsInFor.isEmpty()) {
            log.info("{} started the link from {} {}", prefix, upstream, status.role());
        }
    }

    private void stopLink(String upstream) {
        RunningLink running;
        synchronized (this) {
            running = runningLinks.remove(upstream);
        }
        if (running == null) {
            return;
        }
        running.link().stop();
        try {
            // Wait, so that a quick restart of the same link never runs beside a finishing one.
            running.thread().join(LINK_STOP_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (running.thread().isAlive()) {
            log.warn("[{}] the link from {} did not stop within {} s", nodeId(), upstream, LINK_STOP_WAIT.toSeconds());
        }
        synchronized (this) {
            linkStatuses.get(upstream).standsInFor(Set.of());
        }
        log.info("[{}] stopped the link from {}", nodeId(), upstream);
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
    public synchronized List<LinkStatus> links() {
        return runningLinks.keySet().stream().map(linkStatuses::get).toList();
    }

    /** Every link this node ran since it started, stopped ones included, for counting. */
    public synchronized List<LinkStatus> allLinks() {
        return List.copyOf(linkStatuses.values());
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
        return leaving.get();
    }

    /** Tombstones held in the local database at the last collection cycle (they wait until every peer applied past them). */
    public long tombstonesHeld() {
        return tombstones.get();
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
        List<RunningLink> toStop;
        synchronized (this) {
            toStop = List.copyOf(runningLinks.values());
            runningLinks.clear();
        }
        toStop.forEach(running -> running.link().stop());
        for (RunningLink running : toStop) {
            try {
                running.thread().join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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
