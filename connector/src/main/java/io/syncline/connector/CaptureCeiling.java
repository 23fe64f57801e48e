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
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
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
 * the engine keeps its offsets in memory only, so a capture started later on the same slot still
 * reads every change this measurement read.
 */
public final class CaptureCeiling {

    private CaptureCeiling() {}

    /**
     * Streams the slot from its confirmed position until {@code rowChanges} row changes arrived.
     *
     * @param config a capture's settings
     * @return row changes per second, from the engine's start to the last row change
     * @throws TimeoutException when fewer row changes arrived within {@code timeout}
     */
    public static double rowChangesPerSecond(CaptureConfig config, long rowChanges, Duration timeout)
            throws SQLException, InterruptedException, TimeoutException, IOException {
        Properties settings = DebeziumSettings.of(config, Preflight.check(config).serverFiltersOrigins());
        settings.setProperty("name", "syncline-capture-ceiling-" + config.nodeId());
        settings.setProperty("flush.lsn.source", "false");
        // Not the capture's own store: what this engine read must not count as published.
        settings.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        String dataTopicPrefix = DebeziumSettings.topicPrefix(config.nodeId()) + ".";
        String transactionTopic = DebeziumSettings.transactionTopic(config.nodeId());
        AtomicLong seen = new AtomicLong();
        AtomicLong lastArrivedAt = new AtomicLong();
        CountDownLatch arrivedAll = new CountDownLatch(1);
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
                    if (seen.addAndGet(rows) >= rowChanges && lastArrivedAt.compareAndSet(0, System.nanoTime())) {
                        arrivedAll.countDown();
                    }
                })
                .build()) {
            thread.execute(engine);
            if (!arrivedAll.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new TimeoutException("Debezium delivered " + seen.get() + " of " + rowChanges + " row changes in "
                        + timeout.toSeconds() + " s");
            }
        } finally {
            thread.shutdown();
            thread.awaitTermination(30, TimeUnit.SECONDS);
        }
        try (Connection connection = DriverManager.getConnection(config.jdbcUrl(), config.databaseUser(), config.databasePassword())) {
            // A capture started while this engine's walsender still holds the slot would be refused.
            ReplicationSlots.awaitReleased(connection, ReplicationSchema.slotName(config.nodeId()), Duration.ofSeconds(30));
        }
        return rowChanges / ((lastArrivedAt.get() - started) / 1e9);
    }
}
