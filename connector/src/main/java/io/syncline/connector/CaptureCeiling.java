package io.syncline.connector;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.syncline.connector.internal.DebeziumSettings;
import io.syncline.connector.internal.Preflight;
import io.syncline.core.schema.ReplicationSchema;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Debezium's engine alone, with the capture's own settings on the capture's slot, and a consumer
 * that only counts row changes: the ceiling the capture runs under, since the capture converts,
 * encodes and publishes what this engine delivers. For benchmarks.
 *
 * <p>The slot is left where it was (Debezium does not confirm positions to the server here) and
 * the engine keeps its offsets in {@link CaptureConfig#dataDirectory()}, so a capture started
 * later on the same slot still reads every change this measurement read.
 */
public final class CaptureCeiling {

    private CaptureCeiling() {}

    /**
     * Streams the slot from its confirmed position until {@code rowChanges} row changes arrived.
     *
     * @param config a capture's settings; its data directory must not hold that capture's offsets
     * @return row changes per second, from the engine's start to the last row change
     * @throws TimeoutException when fewer row changes arrived within {@code timeout}
     */
    public static double rowChangesPerSecond(CaptureConfig config, long rowChanges, Duration timeout)
            throws SQLException, InterruptedException, TimeoutException, IOException {
        Properties settings = DebeziumSettings.of(config, Preflight.check(config).serverFiltersOrigins());
        settings.setProperty("name", "syncline-capture-ceiling-" + config.nodeId());
        settings.setProperty("flush.lsn.source", "false");
        String dataTopicPrefix = DebeziumSettings.topicPrefix(config.nodeId()) + ".";
        String transactionTopic = DebeziumSettings.transactionTopic(config.nodeId());
        AtomicLong seen = new AtomicLong();
        AtomicLong lastArrivedAt = new AtomicLong();
        Object arrivedAll = new Object();
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "capture-ceiling-" + config.nodeId()));
        long started = System.nanoTime();
        try (DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine = DebeziumEngine.create(Connect.class)
                .using(settings)
                .notifying((List<ChangeEvent<SourceRecord, SourceRecord>> records,
                        DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) -> {
                    long rows = 0;
                    for (ChangeEvent<SourceRecord, SourceRecord> record : records) {
                        String topic = record.value().topic();
                        if (topic.startsWith(dataTopicPrefix) && !topic.equals(transactionTopic)) {
                            rows++;
                        }
                        committer.markProcessed(record);
                    }
                    committer.markBatchFinished();
                    if (seen.addAndGet(rows) >= rowChanges) {
                        lastArrivedAt.compareAndSet(0, System.nanoTime());
                        synchronized (arrivedAll) {
                            arrivedAll.notifyAll();
                        }
                    }
                })
                .build()) {
            thread.execute(engine);
            long deadline = started + timeout.toNanos();
            synchronized (arrivedAll) {
                while (seen.get() < rowChanges) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new TimeoutException("Debezium delivered " + seen.get() + " of " + rowChanges + " row changes in "
                                + timeout.toSeconds() + " s");
                    }
                    arrivedAll.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
        } finally {
            thread.shutdown();
            thread.awaitTermination(30, TimeUnit.SECONDS);
        }
        awaitSlotReleased(config);
        return rowChanges / ((lastArrivedAt.get() - started) / 1e9);
    }

    /** The walsender of a closed engine lets the slot go a moment later; a capture started before that is refused. */
    private static void awaitSlotReleased(CaptureConfig config) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection connection = DriverManager.getConnection(config.jdbcUrl(), config.databaseUser(), config.databasePassword());
                PreparedStatement active = connection.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            active.setString(1, ReplicationSchema.slotName(config.nodeId()));
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = active.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("slot " + ReplicationSchema.slotName(config.nodeId()) + " still active 30 s after the engine closed");
    }
}
