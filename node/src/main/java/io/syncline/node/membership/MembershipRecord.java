package io.syncline.node.membership;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.core.schema.ReplicationSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node's membership as its own database records it ({@code syncline.membership}): one of
 * {@link #JOINING}, {@link #CATCHUP}, {@link #ACTIVE}, {@code leaving}, {@code left}. A node without a
 * row is {@link #ACTIVE}: it was part of the deployment from the start.
 *
 * @param state      the state
 * @param joinedFrom the peer {@code syncline join} copied, null for a node that did not join
 * @param catchupTo  per upstream, the outbox offset to read up to before the node is {@link #ACTIVE}; empty when none
 */
public record MembershipRecord(String state, String joinedFrom, Map<String, Long> catchupTo) {

    public static final String JOINING = "joining";
    public static final String CATCHUP = "catchup";
    public static final String ACTIVE = "active";

    private static final ObjectMapper JSON = new ObjectMapper();

    public MembershipRecord {
        catchupTo = Map.copyOf(catchupTo);
    }

    /** The state of {@code nodeId} in the database of {@code connection}; a database initialised before the table: active. */
    public static MembershipRecord read(Connection connection, String nodeId) throws SQLException {
        try (PreparedStatement read = connection.prepareStatement("SELECT state, joined_from, catchup_to::text FROM "
                + ReplicationSchema.MEMBERSHIP_TABLE + " WHERE node_id = ?")) {
            read.setString(1, nodeId);
            try (ResultSet rs = read.executeQuery()) {
                if (!rs.next()) {
                    return new MembershipRecord(ACTIVE, null, Map.of());
                }
                return new MembershipRecord(rs.getString(1), rs.getString(2), offsets(rs.getString(3)));
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "42703".equals(e.getSQLState())) {
                // No membership table, or one without the join's columns: init of this version never ran, nobody joined.
                return new MembershipRecord(ACTIVE, null, Map.of());
            }
            throw e;
        }
    }

    static String json(Map<String, Long> offsets) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(offsets));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Long> offsets(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<TreeMap<String, Long>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(ReplicationSchema.MEMBERSHIP_TABLE + ".catchup_to is not an object of offsets: "
                    + json, e);
        }
    }
}
