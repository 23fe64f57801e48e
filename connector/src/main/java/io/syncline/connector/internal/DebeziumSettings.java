package io.syncline.connector.internal;

import io.syncline.connector.CaptureConfig;
import io.syncline.core.config.ConnectionParameter;
import io.syncline.core.schema.ReplicationSchema;
import java.util.Properties;

/** The Debezium engine and PostgreSQL connector settings of a node's capture. */
public final class DebeziumSettings {

    private DebeziumSettings() {}

    /** Debezium's topic prefix; the transaction metadata records go to {@code <prefix>.transaction}. */
    public static String topicPrefix(String nodeId) {
        return "syncline_" + nodeId.replace('-', '_');
    }

    public static String transactionTopic(String nodeId) {
        return topicPrefix(nodeId) + ".transaction";
    }

    /**
     * @param serverFiltersOrigins whether the server supports pgoutput's {@code origin} option; then
     *                             the walsender leaves out what the applier wrote, which the capture
     *                             would otherwise decode only to drop it
     */
    public static Properties of(CaptureConfig config, boolean serverFiltersOrigins) {
        Properties p = new Properties();
        p.setProperty("name", "syncline-capture-" + config.nodeId());
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("topic.prefix", topicPrefix(config.nodeId()));
        p.setProperty("database.hostname", config.databaseHost());
        p.setProperty("database.port", Integer.toString(config.databasePort()));
        p.setProperty("database.dbname", config.databaseName());
        p.setProperty("database.user", config.databaseUser());
        p.setProperty("database.password", config.databasePassword());
        // Debezium hands every database.* property to pgjdbc, its replication connection included
        // (RelationalDatabaseConnectorConfig#getJdbcConfig): TLS and timeouts as in database.url.
        config.connectionParameters().forEach((name, value) ->
                p.setProperty(ConnectionParameter.forUrlName(name).orElseThrow().debeziumProperty(), value));
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", ReplicationSchema.slotName(config.nodeId()));
        p.setProperty("publication.name", ReplicationSchema.publicationName(config.nodeId()));
        p.setProperty("publication.autocreate.mode", "disabled");
        // No table.include.list: the publication alone says which tables are captured. pgoutput reads its
        // membership at each change's place in the WAL, so a table that syncline ddl adds to it (in the
        // transaction that creates the table) is captured from that commit on, without restarting the
        // engine, which would need a new include list.
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("provide.transaction.metadata", "true");
        if (serverFiltersOrigins) {
            // Only changes without a replication origin, i.e. not the applier's (PostgreSQL 16+,
            // CREATE SUBSCRIPTION ... origin = none uses the same pgoutput option). The capture still
            // drops origin-marked transactions itself, for older servers.
            p.setProperty("slot.stream.params", "origin=none");
        }
        p.setProperty("tombstones.on.delete", "false");
        // Exact values: no precision-losing mappings (ChangeConverter turns these into PostgreSQL text).
        p.setProperty("decimal.handling.mode", "string");
        p.setProperty("binary.handling.mode", "hex");
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("hstore.handling.mode", "json");
        p.setProperty("time.precision.mode", "microseconds");
        p.setProperty("unavailable.value.placeholder", ChangeConverter.DEFAULT_UNAVAILABLE_PLACEHOLDER);
        p.setProperty("datatype.propagate.source.type", ".+");
        // Debezium's default (warn) replaces a value it cannot convert with NULL: stop instead.
        p.setProperty("event.converting.failure.handling.mode", "fail");
        p.setProperty("event.processing.failure.handling.mode", "fail");
        // Moves the slot on when only other tables are written, so that WAL is not kept forever.
        p.setProperty("heartbeat.interval.ms", "10000");
        // A batch collects changes for this long (or until it is full) and is published in one Kafka
        // transaction (see CaptureSettings).
        p.setProperty("poll.interval.ms", Long.toString(config.batchInterval().toMillis()));
        p.setProperty("max.batch.size", "8192");
        p.setProperty("max.queue.size", "32768");
        // In the node's database, not on its host: a node on an empty data directory resumes where it stopped.
        p.setProperty("offset.storage", PostgresOffsetBackingStore.class.getName());
        p.setProperty(PostgresOffsetBackingStore.URL, config.jdbcUrl());
        p.setProperty(PostgresOffsetBackingStore.USER, config.databaseUser());
        p.setProperty(PostgresOffsetBackingStore.PASSWORD, config.databasePassword());
        p.setProperty(PostgresOffsetBackingStore.NODE, config.nodeId());
        p.setProperty("offset.flush.interval.ms", Long.toString(config.offsetFlushInterval().toMillis()));
        p.setProperty("offset.flush.timeout.ms", "10000");
        // Connection problems: Debezium restarts the task itself (PostgresErrorHandler), forever.
        p.setProperty("errors.max.retries", "-1");
        p.setProperty("errors.retry.delay.initial.ms", "500");
        p.setProperty("errors.retry.delay.max.ms", "30000");
        p.setProperty("record.processing.order", "ORDERED");
        return p;
    }
}
