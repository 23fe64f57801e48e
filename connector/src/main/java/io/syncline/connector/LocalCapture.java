package io.syncline.connector;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.syncline.connector.internal.CaptureConsumer;
import io.syncline.connector.internal.CaptureErrors;
import io.syncline.connector.internal.ChangeConverter;
import io.syncline.connector.internal.DebeziumSettings;
import io.syncline.connector.internal.OutboxTail;
import io.syncline.connector.internal.Preflight;
import io.syncline.connector.internal.PublishedPositionRecord;
import io.syncline.core.event.OriginIdentity;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.schema.ReplicationSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture of one node: streams the committed changes of the node's own PostgreSQL from its
 * logical replication slot (Debezium embedded, pgoutput) and publishes each local source
 * transaction whole, in commit order, to the node's outbox topic. Transactions written by the
 * applier (marked with a replication origin) are never published (no echo).
 *
 * <p>Delivery is at least once and gap-free: after a crash or a kill the capture resumes from
 * the last position whose transactions Kafka had committed (Debezium's offsets, kept in the node's
 * database), none is skipped. Transactions it receives again at or below the newest of its own in
 * the outbox are not published again; a publish whose commit Kafka did not confirm is re-sent, so
 * a transaction may still appear twice (same position and predecessor; appliers skip it). Each
 * published transaction carries the capture's identity and its predecessor's position (the
 * continuity chain, docs/continuity.md); a missing slot stops the capture instead of being
 * recreated.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} once; see {@link State}. Connection losses
 * and Kafka outages are retried with backoff (logged at WARN); permanent problems stop the
 * capture in {@link State#FAILED} with the reason in {@link #failure()}. Thread-safe.
 */
public final class LocalCapture implements AutoCloseable {

    /** Lifecycle states; transitions only forward, by compare-and-set. */
    public enum State {
        CREATED,
        STARTING,
        /** The engine runs (or is being restarted after a retriable failure). */
        RUNNING,
        STOPPING,
        STOPPED,
        FAILED
    }

    private static final Logger log = LoggerFactory.getLogger(LocalCapture.class);
    private static final Duration MAX_RESTART_BACKOFF = Duration.ofSeconds(30);

    private final CaptureConfig config;
    private final String logPrefix;
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CompletableFuture<Void> termination = new CompletableFuture<>();
    private final CaptureConsumer.CaptureCounters counters = new CaptureConsumer.CaptureCounters();
    private final ExecutorService engineThread;
    private final ScheduledExecutorService supervisor;
    private final PublishedPositionRecord published;
    private volatile boolean recordFailing;
    private final AtomicReference<DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>>> engine = new AtomicReference<>();
    private final AtomicReference<CountDownLatch> streaming = new AtomicReference<>(new CountDownLatch(1));
    private final KafkaClientListener clients;
    private OutboxPublisher publisher;
    private ChangeConverter converter;
    private volatile boolean serverFiltersOrigins;
    private volatile OriginIdentity identity;
    private long restartBackoffMillis = 500;

    public LocalCapture(CaptureConfig config) {
        this(config, KafkaClientListener.NONE);
    }

    /** As {@link #LocalCapture(CaptureConfig)}, telling {@code clients} of the outbox publisher's producers. */
    public LocalCapture(CaptureConfig config, KafkaClientListener clients) {
        this.config = config;
        this.clients = clients;
        this.logPrefix = "[" + config.nodeId() + " capture]";
        this.engineThread = Executors.newSingleThreadExecutor(r -> daemon(r, "syncline-capture-" + config.nodeId()));
        this.supervisor = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "syncline-capture-supervisor-" + config.nodeId()));
        this.published = new PublishedPositionRecord(config);
    }

    /**
     * Checks the database (wal_level, the role's rights, the tables' primary keys and row-version
     * columns, the publication) and the outbox topic, then starts streaming in the background.
     *
     * @throws CaptureSetupException if the database is not ready, with what to do; the capture is then FAILED
     * @throws IllegalStateException if called twice
     */
    public void start() {
        transition(State.CREATED, State.STARTING);
        log.info("{} starting with {}", logPrefix, config);
        try {
            Files.createDirectories(config.dataDirectory());
            Preflight.Database database = Preflight.check(config);
            serverFiltersOrigins = database.serverFiltersOrigins();
            identity = database.identity();
            converter = new ChangeConverter(config.nodeId(), database.primaryKeys(), ChangeConverter.DEFAULT_UNAVAILABLE_PLACEHOLDER);
            publisher = new OutboxPublisher(config.nodeId(), "capture", config.kafkaSettings(), clients);
            publisher.ensureTopic(config.outboxTopic());
            Optional<SourceTransaction> tail = OutboxTail.lastOwn(config.nodeId(), config.kafkaSettings());
            if (!database.slotExists() && (tail.isPresent() || database.offsetsStored())) {
                throw new CaptureSetupException(slotMissing(tail));
            }
            OptionalLong recorded = published.read();
            if (recorded.isPresent() && !holds(tail, recorded.getAsLong())) {
                throw new CaptureSetupException(outboxLostRecords(tail, recorded.getAsLong()));
            }
            continueChain(tail);
            publisher.connect();
        } catch (CaptureSetupException e) {
            fail(e);
            throw e;
        } catch (java.sql.SQLException | IOException | ExecutionException | RuntimeException e) {
            CaptureSetupException setup = new CaptureSetupException(logPrefix + " cannot start: " + e.getMessage(), e);
            fail(setup);
            throw setup;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CaptureSetupException setup = new CaptureSetupException(logPrefix + " interrupted while starting", e);
            fail(setup);
            throw setup;
        }
        transition(State.STARTING, State.RUNNING);
        launchEngine();
        supervisor.scheduleWithFixedDelay(this::recordPublished, 1, 1, TimeUnit.SECONDS);
    }

    /** Whether the outbox's newest transaction of this node, of the current identity, is at or past {@code recorded}. */
    private boolean holds(Optional<SourceTransaction> tail, long recorded) {
        return tail.isPresent() && (tail.get().chain() == null || tail.get().chain().identity().equals(identity))
                && tail.get().originPosition() >= recorded;
    }

    private String outboxLostRecords(Optional<SourceTransaction> tail, long recorded) {
        return logPrefix + " cannot start: outbox topic " + publisher.topic() + " no longer holds what this node published:"
                + " this epoch published up to position " + recorded + " (" + ReplicationSchema.CAPTURE_IDENTITY_TABLE
                + ".last_published_position), but the newest transaction of this node in the topic is "
                + tail.map(t -> "at position " + t.originPosition()).orElse("none") + ". The topic was deleted and created"
                + " again, or Kafka lost records, so peers that had not read them never will. Re-synchronise the peers from"
                + " this node, then run `syncline capture reset --config <file>` to start a new epoch (docs/continuity.md)";
    }

    /** Keeps the published position in the database; a failure only weakens the check at the next start, so it is retried. */
    private void recordPublished() {
        long position = counters.lastPublishedPosition.get();
        if (position < 0) {
            return;
        }
        try {
            published.record(position);
            recordFailing = false;
        } catch (java.sql.SQLException e) {
            if (!recordFailing) {
                log.warn("{} cannot record the published position {} in {}: {}; trying again every second", logPrefix, position,
                        ReplicationSchema.CAPTURE_IDENTITY_TABLE, e.getMessage());
                recordFailing = true;
            }
        }
    }

    /**
     * Waits until the engine streams from the slot: changes committed after this returns
     * {@code true} are captured.
     */
    public boolean awaitStreaming(Duration timeout) throws InterruptedException {
        return streaming.get().await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public State state() {
        return state.get();
    }

    /** Why the capture stopped in {@link State#FAILED}. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** Completes when the capture stops: normally after {@link #close()}, exceptionally when it failed. */
    public CompletableFuture<Void> termination() {
        return termination.copy();
    }

    /** Transactions published since start (including re-sends after a restart of the engine). */
    public long publishedTransactions() {
        return counters.publishedTransactions.get();
    }

    public long publishedChanges() {
        return counters.publishedChanges.get();
    }

    /**
     * Transactions not published because the applier wrote them (replication origin set), among
     * those the capture received: none when {@link #serverFiltersAppliedTransactions()}.
     */
    public long appliedTransactionsSkipped() {
        return counters.appliedTransactionsSkipped.get();
    }

    /**
     * Whether the database leaves the applier's transactions out of the stream (PostgreSQL 16 and
     * later, pgoutput {@code origin=none}); known once {@link #start()} returned.
     */
    public boolean serverFiltersAppliedTransactions() {
        return serverFiltersOrigins;
    }

    /** The identity this capture's transactions carry; known once {@link #start()} returned. */
    public OriginIdentity identity() {
        return identity;
    }

    /** The origin position of the newest transaction Kafka committed, or -1. */
    public long lastPublishedPosition() {
        return counters.lastPublishedPosition.get();
    }

    /**
     * The chain continues at the node's newest transaction in its outbox when it was published under
     * the same identity (or before identities existed); otherwise the first transaction starts a new one.
     */
    private void continueChain(Optional<SourceTransaction> tail) {
        if (tail.isEmpty()) {
            log.info("{} {}: the outbox holds none of this node's transactions; the first one published starts the chain",
                    logPrefix, identity);
            return;
        }
        SourceTransaction last = tail.get();
        if (last.chain() == null || last.chain().identity().equals(identity)) {
            counters.lastPublishedPosition.set(last.originPosition());
            log.info("{} {}: the chain continues after position {}, the newest of this node's transactions in {}", logPrefix,
                    identity, last.originPosition(), publisher.topic());
        } else {
            log.warn("{} {}: the newest transaction of this node in {} (position {}) is of {}; the first one published starts"
                    + " a new chain, which the peers refuse until they are re-synchronised (docs/continuity.md)", logPrefix,
                    identity, publisher.topic(), last.originPosition(), last.chain().identity());
        }
    }

    private String slotMissing(Optional<SourceTransaction> tail) {
        String published = tail.map(t -> "its outbox holds its transactions up to position " + t.originPosition())
                .orElse("its stored capture offsets say so");
        return logPrefix + " cannot start: replication slot " + ReplicationSchema.slotName(config.nodeId())
                + " does not exist, although this node has published before (" + published + "). The changes committed since"
                + " the slot was lost cannot be captured any more, and the slot is not created again silently. To start over,"
                + " run `syncline capture reset --config <this node's config>`: it starts a new capture epoch (the peers then"
                + " stop their links from " + config.nodeId() + " in GAP until they are re-synchronised) and creates the slot"
                + " (docs/continuity.md)";
    }

    private void launchEngine() {
        Properties props = DebeziumSettings.of(config, serverFiltersOrigins);
        // Chunks of a source transaction the last engine did not finish: the new one streams it again from its start.
        publisher.abortChunks();
        CaptureConsumer consumer = new CaptureConsumer(config.nodeId(), converter, publisher,
                () -> state.get() != State.RUNNING, counters, identity);
        CountDownLatch started = new CountDownLatch(1);
        streaming.set(started);
        DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> e = DebeziumEngine.create(Connect.class)
                .using(props)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        started.countDown();
                        log.info("{} streaming from slot {}", logPrefix, props.getProperty("slot.name"));
                    }
                })
                .using((success, message, error) -> onEngineStopped(success, message, error))
                .notifying(consumer)
                .build();
        engine.set(e);
        engineThread.execute(e);
    }

    private void onEngineStopped(boolean success, String message, Throwable error) {
        State current = state.get();
        if (current != State.RUNNING) {
            return;
        }
        Throwable cause = error != null ? error : new IllegalStateException("Debezium engine stopped: " + message);
        if (!CaptureErrors.isRetriable(cause)) {
            log.error("{} stopped: {}", logPrefix, describe(cause), cause);
            fail(cause);
            closeQuietly();
            return;
        }
        long delay = restartBackoffMillis;
        restartBackoffMillis = Math.min(restartBackoffMillis * 2, MAX_RESTART_BACKOFF.toMillis());
        log.warn("{} engine stopped ({}), restarting in {} ms from the last acknowledged position", logPrefix, describe(cause), delay);
        supervisor.schedule(() -> {
            if (state.get() == State.RUNNING) {
                relaunchIfSlotExists();
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    /** Debezium creates a missing slot at the current WAL position: what was committed before it would never be published. */
    private void relaunchIfSlotExists() {
        boolean exists;
        try {
            exists = Preflight.slotExists(config);
        } catch (java.sql.SQLException e) {
            log.warn("{} cannot check replication slot {} before restarting ({}); trying again", logPrefix,
                    ReplicationSchema.slotName(config.nodeId()), e.getMessage());
            supervisor.schedule(this::relaunchIfSlotExists, MAX_RESTART_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        if (!exists) {
            CaptureSetupException missing = new CaptureSetupException(slotMissing(Optional.empty()));
            log.error("{}", missing.getMessage());
            fail(missing);
            closeQuietly();
            return;
        }
        launchEngine();
    }

    /** Stops streaming; what Kafka committed stays acknowledged. Idempotent. */
    @Override
    public void close() {
        if (!state.compareAndSet(State.RUNNING, State.STOPPING) && !state.compareAndSet(State.STARTING, State.STOPPING)
                && !state.compareAndSet(State.CREATED, State.STOPPING)) {
            closeQuietly();
            return;
        }
        log.info("{} stopping", logPrefix);
        closeQuietly();
        state.compareAndSet(State.STOPPING, State.STOPPED);
        termination.complete(null);
        log.info("{} stopped after publishing {} transaction(s)", logPrefix, publishedTransactions());
    }

    private void closeQuietly() {
        DebeziumEngine<?> e = engine.getAndSet(null);
        if (e != null) {
            try {
                e.close();
            } catch (IOException | RuntimeException ex) {
                log.warn("{} closing the Debezium engine: {}", logPrefix, ex.toString());
            }
        }
        supervisor.shutdownNow();
        engineThread.shutdown();
        try {
            if (!engineThread.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("{} the engine thread did not stop within 30 s", logPrefix);
                engineThread.shutdownNow();
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        if (publisher != null) {
            publisher.close();
        }
        // The engine is stopped: what Kafka committed last is final, so the record may catch up with it.
        recordPublished();
        published.close();
    }

    private void fail(Throwable cause) {
        published.close();
        failure.compareAndSet(null, cause);
        State current = state.get();
        while (current != State.STOPPED && current != State.FAILED) {
            if (state.compareAndSet(current, State.FAILED)) {
                break;
            }
            current = state.get();
        }
        termination.completeExceptionally(cause);
    }

    private void transition(State from, State to) {
        if (!state.compareAndSet(from, to)) {
            throw new IllegalStateException(logPrefix + " cannot go from " + state.get() + " to " + to + " (expected " + from + ")");
        }
    }

    private static String describe(Throwable t) {
        StringBuilder out = new StringBuilder(String.valueOf(t));
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            out.append(" <- ").append(c);
        }
        return out.toString();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
