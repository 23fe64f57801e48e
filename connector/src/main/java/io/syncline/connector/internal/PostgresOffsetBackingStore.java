package io.syncline.connector.internal;

import io.syncline.core.schema.ReplicationSchema;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

/**
 * Debezium's offsets (where the capture resumes reading its slot) in the node's own PostgreSQL,
 * table {@link ReplicationSchema#CAPTURE_OFFSET_TABLE}, instead of a file on the node's host: a
 * node started on another host or an empty data directory resumes where it stopped.
 *
 * <p>Debezium creates it by class name ({@code offset.storage}) and configures it with the
 * engine's properties: {@value #URL}, {@value #USER}, {@value #PASSWORD}, {@value #NODE}. Writes
 * run on the store's single executor thread ({@link MemoryOffsetBackingStore#set}); a failed write
 * fails that flush, and Debezium flushes again later.
 */
public final class PostgresOffsetBackingStore extends MemoryOffsetBackingStore {

    public static final String URL = "syncline.offsets.jdbc.url";
    public static final String USER = "syncline.offsets.jdbc.user";
    public static final String PASSWORD = "syncline.offsets.jdbc.password";
    public static final String NODE = "syncline.offsets.node";

    private static final String SELECT = "SELECT key, value FROM " + ReplicationSchema.CAPTURE_OFFSET_TABLE + " WHERE node_id = ?";
    private static final String UPSERT = "INSERT INTO " + ReplicationSchema.CAPTURE_OFFSET_TABLE + " (node_id, key, value)"
            + " VALUES (?, ?, ?) ON CONFLICT (node_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()";

    private String url;
    private Properties credentials;
    private String nodeId;
    private Connection connection;

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        Map<String, Object> originals = config.originals();
        url = String.valueOf(originals.get(URL));
        nodeId = String.valueOf(originals.get(NODE));
        credentials = new Properties();
        credentials.setProperty("user", String.valueOf(originals.get(USER)));
        credentials.setProperty("password", String.valueOf(originals.getOrDefault(PASSWORD, "")));
        credentials.setProperty("connectTimeout", "10");
        credentials.setProperty("ApplicationName", "syncline-" + nodeId + "-capture-offsets");
    }

    @Override
    public synchronized void start() {
        super.start();
        try (PreparedStatement select = connection().prepareStatement(SELECT)) {
            select.setString(1, nodeId);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    byte[] value = rs.getBytes(2);
                    data.put(ByteBuffer.wrap(rs.getBytes(1)), value == null ? null : ByteBuffer.wrap(value));
                }
            }
        } catch (SQLException e) {
            closeConnection();
            throw new ConnectException("[" + nodeId + " capture] reading the capture offsets from "
                    + ReplicationSchema.CAPTURE_OFFSET_TABLE + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    protected void save() {
        try {
            Connection c = connection();
            c.setAutoCommit(false);
            try (PreparedStatement upsert = c.prepareStatement(UPSERT)) {
                for (Map.Entry<ByteBuffer, ByteBuffer> entry : data.entrySet()) {
                    upsert.setString(1, nodeId);
                    upsert.setBytes(2, bytes(entry.getKey()));
                    upsert.setBytes(3, entry.getValue() == null ? null : bytes(entry.getValue()));
                    upsert.addBatch();
                }
                upsert.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            closeConnection();
            throw new ConnectException("[" + nodeId + " capture] writing the capture offsets to "
                    + ReplicationSchema.CAPTURE_OFFSET_TABLE + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void stop() {
        super.stop();
        closeConnection();
    }

    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        // Only Kafka Connect's REST API for offsets asks; the embedded engine does not.
        return Set.of();
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = DriverManager.getConnection(url, credentials);
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // Already broken; a new one is opened for the next flush.
            }
            connection = null;
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
