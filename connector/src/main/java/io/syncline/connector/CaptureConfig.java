package io.syncline.connector;

import io.syncline.core.config.CaptureSettings;
import io.syncline.core.config.ConnectionParameter;
import io.syncline.core.config.NodeId;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of a node's {@link LocalCapture}. Immutable.
 *
 * @param nodeId             the local node id; also names the slot, publication and outbox topic
 * @param databaseHost       host of the node's PostgreSQL
 * @param databasePort       its port
 * @param databaseName       the database that holds the replicated tables
 * @param databaseUser       a role with REPLICATION (or superuser) and SELECT on the tables
 * @param databasePassword   its password; never logged
 * @param tables             schema-qualified replicated tables ({@code public.accounts}), each with a primary key
 * @param dataDirectory      the node's local scratch directory; nothing the capture needs to resume is kept there
 *                           (its offsets are in the node's database, its chain in its outbox)
 * @param kafkaSettings      client settings of the node's own Kafka: at least {@code bootstrap.servers},
 *                           plus its security settings
 * @param offsetFlushInterval how often Debezium's offsets (and so the slot's confirmed position) are
 *                           flushed at most; a crash re-sends at most this much, never less
 * @param batchInterval      how long a batch collects transactions before one Kafka transaction publishes it
 * @param connectionParameters pgjdbc parameters of {@code database.url} ({@link ConnectionParameter} names,
 *                           e.g. {@code sslmode}), given to every connection the capture opens: its
 *                           checks and Debezium's; never null
 * @param outboxTopic        how the outbox topic keeps its records; null: {@link OutboxTopicSettings#DEFAULTS}
 */
public record CaptureConfig(
        String nodeId,
        String databaseHost,
        int databasePort,
        String databaseName,
        String databaseUser,
        String databasePassword,
        List<String> tables,
        Path dataDirectory,
        Map<String, Object> kafkaSettings,
        Duration offsetFlushInterval,
        Duration batchInterval,
        Map<String, String> connectionParameters,
        OutboxTopicSettings outboxTopic) {

    public static final Duration DEFAULT_OFFSET_FLUSH_INTERVAL = Duration.ofMillis(200);

    private static final Pattern TABLE = Pattern.compile("[^.\\s]+\\.[^.\\s]+");

    public CaptureConfig {
        List<String> problems = new ArrayList<>();
        // The loader's rule: an id that validate-config accepts is never refused here, nor the reverse.
        NodeId.problem(nodeId).ifPresent(problem -> problems.add("nodeId: " + problem));
        if (databaseHost == null || databaseHost.isBlank()) {
            problems.add("databaseHost is required");
        }
        if (databasePort <= 0 || databasePort > 65535) {
            problems.add("databasePort must be 1-65535: " + databasePort);
        }
        if (databaseName == null || databaseName.isBlank()) {
            problems.add("databaseName is required");
        }
        if (databaseUser == null || databaseUser.isBlank()) {
            problems.add("databaseUser is required");
        }
        if (tables == null || tables.isEmpty()) {
            problems.add("tables: at least one replicated table is required");
        } else {
            for (String table : tables) {
                if (table == null || !TABLE.matcher(table).matches()) {
                    problems.add("tables: '" + table + "' is not a schema-qualified table name like public.accounts");
                }
            }
        }
        if (dataDirectory == null) {
            problems.add("dataDirectory is required");
        }
        if (kafkaSettings == null || kafkaSettings.get("bootstrap.servers") == null) {
            problems.add("kafkaSettings must contain bootstrap.servers");
        }
        if (offsetFlushInterval == null) {
            offsetFlushInterval = DEFAULT_OFFSET_FLUSH_INTERVAL;
        } else if (offsetFlushInterval.isNegative() || offsetFlushInterval.isZero()) {
            problems.add("offsetFlushInterval must be positive: " + offsetFlushInterval);
        }
        if (batchInterval == null) {
            batchInterval = CaptureSettings.DEFAULT_BATCH_INTERVAL;
        } else {
            CaptureSettings.batchIntervalProblem(batchInterval).ifPresent(problems::add);
        }
        if (connectionParameters == null) {
            connectionParameters = Map.of();
        }
        for (String name : connectionParameters.keySet()) {
            if (ConnectionParameter.forUrlName(name).isEmpty()) {
                problems.add("connectionParameters: '" + name + "' is not a parameter the capture can pass on");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid capture configuration:\n  " + String.join("\n  ", problems));
        }
        databasePassword = Objects.requireNonNullElse(databasePassword, "");
        outboxTopic = Objects.requireNonNullElse(outboxTopic, OutboxTopicSettings.DEFAULTS);
        tables = List.copyOf(tables);
        kafkaSettings = Map.copyOf(kafkaSettings);
        connectionParameters = Collections.unmodifiableMap(new LinkedHashMap<>(connectionParameters));
    }

    /** The same settings without connection parameters, with the default outbox topic settings. */
    public CaptureConfig(String nodeId, String databaseHost, int databasePort, String databaseName, String databaseUser,
            String databasePassword, List<String> tables, Path dataDirectory, Map<String, Object> kafkaSettings,
            Duration offsetFlushInterval, Duration batchInterval) {
        this(nodeId, databaseHost, databasePort, databaseName, databaseUser, databasePassword, tables, dataDirectory,
                kafkaSettings, offsetFlushInterval, batchInterval, Map.of(), null);
    }

    /** The same settings with the default outbox topic settings. */
    public CaptureConfig(String nodeId, String databaseHost, int databasePort, String databaseName, String databaseUser,
            String databasePassword, List<String> tables, Path dataDirectory, Map<String, Object> kafkaSettings,
            Duration offsetFlushInterval, Duration batchInterval, Map<String, String> connectionParameters) {
        this(nodeId, databaseHost, databasePort, databaseName, databaseUser, databasePassword, tables, dataDirectory,
                kafkaSettings, offsetFlushInterval, batchInterval, connectionParameters, null);
    }

    /** The same settings without connection parameters. */
    public CaptureConfig(String nodeId, String databaseHost, int databasePort, String databaseName, String databaseUser,
            String databasePassword, List<String> tables, Path dataDirectory, Map<String, Object> kafkaSettings,
            Duration offsetFlushInterval, Duration batchInterval, OutboxTopicSettings outboxTopic) {
        this(nodeId, databaseHost, databasePort, databaseName, databaseUser, databasePassword, tables, dataDirectory,
                kafkaSettings, offsetFlushInterval, batchInterval, Map.of(), outboxTopic);
    }

    /** The same settings with the default offset flush and batch intervals. */
    public CaptureConfig(String nodeId, String databaseHost, int databasePort, String databaseName, String databaseUser,
            String databasePassword, List<String> tables, Path dataDirectory, Map<String, Object> kafkaSettings) {
        this(nodeId, databaseHost, databasePort, databaseName, databaseUser, databasePassword, tables, dataDirectory,
                kafkaSettings, DEFAULT_OFFSET_FLUSH_INTERVAL, CaptureSettings.DEFAULT_BATCH_INTERVAL, Map.of(), null);
    }

    /** The URL of the capture's own JDBC connections, with every connection parameter. */
    public String jdbcUrl() {
        StringBuilder url = new StringBuilder("jdbc:postgresql://")
                .append(databaseHost.contains(":") ? "[" + databaseHost + "]" : databaseHost).append(':').append(databasePort)
                .append('/').append(databaseName);
        char separator = '?';
        for (Map.Entry<String, String> parameter : connectionParameters.entrySet()) {
            url.append(separator).append(parameter.getKey()).append('=')
                    .append(URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8));
            separator = '&';
        }
        return url.toString();
    }

    @Override
    public String toString() {
        return "CaptureConfig[nodeId=" + nodeId + ", database=" + databaseUser + "@" + databaseHost + ":" + databasePort + "/"
                + databaseName + ", password=****, tables=" + tables + ", dataDirectory=" + dataDirectory
                + ", connectionParameters=" + masked(connectionParameters) + ", kafka=" + masked(kafkaSettings)
                + ", offsetFlushInterval=" + offsetFlushInterval + ", batchInterval=" + batchInterval + ", outboxTopic="
                + outboxTopic + "]";
    }

    static Map<String, Object> masked(Map<String, ?> settings) {
        Map<String, Object> out = new java.util.TreeMap<>();
        settings.forEach((k, v) -> out.put(k, k.contains("password") || k.contains("jaas") || k.contains("secret") ? "****" : v));
        return out;
    }
}
