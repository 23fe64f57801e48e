package io.syncline.core.schema;

import java.util.List;
import java.util.Set;

/**
 * Names of what {@code syncline init} installs in each node's database. Capture, apply and the
 * installer all refer to these, so they are defined once here.
 *
 * <p>Every replicated table gets metadata columns holding its current row version
 * ({@link #HLC_COLUMN}, {@link #NODE_COLUMN}, {@link #VECTOR_COLUMN}) and its merge metadata
 * ({@link #COUNTERS_COLUMN}, {@link #DOTS_COLUMN}; filled only when the table's conflict policy
 * needs them), kept by a row trigger for the application's own writes and set explicitly by the
 * applier for remote ones. Deletes
 * leave a row in {@link #TOMBSTONE_TABLE} with the delete's version.
 */
public final class ReplicationSchema {

    /** The schema that holds Syncline's own tables and functions. */
    public static final String SCHEMA = "syncline";

    public static final String HLC_COLUMN = "syncline_hlc";
    public static final String NODE_COLUMN = "syncline_node";
    public static final String VECTOR_COLUMN = "syncline_vv";
    /** {@code jsonb}: column -> node -> that node's cumulative contribution (numeric text), for delta columns. */
    public static final String COUNTERS_COLUMN = "syncline_delta";
    /** {@code jsonb}: column -> {@code [node, counter, hlc]} of the write that last changed it, for column-merge tables. */
    public static final String DOTS_COLUMN = "syncline_dots";
    /**
     * {@code jsonb}, NULL unless the row was resolved from concurrent versions: those versions (the
     * frontier), kept until a local write supersedes them all. Local to each node, never captured.
     */
    public static final String FRONTIER_COLUMN = "syncline_frontier";
    public static final Set<String> METADATA_COLUMNS =
            Set.of(HLC_COLUMN, NODE_COLUMN, VECTOR_COLUMN, COUNTERS_COLUMN, DOTS_COLUMN, FRONTIER_COLUMN);

    /** {@code (table_name text, pk jsonb, hlc bigint, node_id text, vv jsonb, deleted_at timestamptz)}, key (table_name, pk). */
    public static final String TOMBSTONE_TABLE = SCHEMA + ".tombstone";

    /**
     * The node's own progress, one row keyed by node id ({@code applied}, {@code stable}: jsonb
     * origin -> position; {@code awaiting}: boolean), published to the peers through the capture so
     * that each node knows how far every peer has applied, for tombstone collection.
     */
    public static final String PROGRESS_REPORT_TABLE = SCHEMA + ".progress_report";

    /** The latest {@link #PROGRESS_REPORT_TABLE} row received from each peer. */
    public static final String PEER_PROGRESS_TABLE = SCHEMA + ".peer_progress";

    /**
     * The schema changes run through {@code syncline ddl} here and applied here from the peers, keyed
     * by {@code (origin_node, id)}: {@code statements} (jsonb array of SQL texts) and
     * {@code expectations} (jsonb, what the tables look like afterwards) and
     * {@code search_path} (the origin's, for the statements' unqualified names). A row inserted by the
     * command travels in the same source transaction as the change itself, so that every DC meets it
     * at the same point of the origin's stream.
     */
    public static final String SCHEMA_CHANGE_TABLE = SCHEMA + ".schema_change";

    /**
     * The tables that joined replication while the nodes ran, through a {@code syncline ddl} of a
     * {@code CREATE TABLE} here or at a peer: {@code table_name} (schema-qualified),
     * {@code origin_node} and {@code schema_change_id} (the change that added it). A node replicates
     * them besides the tables of its config, with its default conflict policy. Local, never captured:
     * each DC writes its row in the transaction that creates the table there.
     */
    public static final String REPLICATED_TABLE_TABLE = SCHEMA + ".replicated_table";

    /** Syncline's own tables that the capture publishes besides the replicated ones. */
    public static final List<String> CAPTURED_OWN_TABLES = List.of(TOMBSTONE_TABLE, PROGRESS_REPORT_TABLE,
            SCHEMA_CHANGE_TABLE);

    /** Whether changes of {@code table} are control records for the applier rather than rows to write. */
    public static boolean isControlTable(String table) {
        return table.equals(PROGRESS_REPORT_TABLE) || table.equals(SCHEMA_CHANGE_TABLE);
    }

    /**
     * Per origin node: the last applied origin position and the identity and start of the chain it
     * belongs to, written in the same transaction as the applied rows.
     */
    public static final String APPLIED_POSITION_TABLE = SCHEMA + ".applied_position";

    /** Per node id: the capture epoch, part of the identity its published transactions carry. */
    public static final String CAPTURE_IDENTITY_TABLE = SCHEMA + ".capture_identity";

    /** Per node id: the capture's Debezium offsets, key and value as Kafka Connect writes them. */
    public static final String CAPTURE_OFFSET_TABLE = SCHEMA + ".capture_offset";

    /**
     * Per node id: {@code leaving} while {@code syncline leave} drains the node to its peers,
     * {@code left} once it dropped the node's capture; {@code joining}, {@code catchup} and
     * {@code active} while and after {@code syncline join} copies a peer. Local, never captured.
     */
    public static final String MEMBERSHIP_TABLE = SCHEMA + ".membership";

    /** Per table copied by {@code syncline join}: the last key copied, rows copied, when it finished. Local. */
    public static final String JOIN_COPY_TABLE = SCHEMA + ".join_copy";

    /** Every resolved conflict. */
    public static final String CONFLICT_LOG_TABLE = SCHEMA + ".conflict_log";

    /** Remote row changes the applier could not resolve (a failing custom resolver), kept whole for a retry. */
    public static final String DEAD_LETTER_TABLE = SCHEMA + ".dead_letter";

    /**
     * Records read from an upstream outbox that failed validation, kept whole with the reason
     * instead of being applied (docs/quarantine.md).
     */
    public static final String QUARANTINE_TABLE = SCHEMA + ".quarantine";

    /** Per upstream link, the Kafka offset of its outbox to resume reading from. */
    public static final String LINK_OFFSET_TABLE = SCHEMA + ".link_offset";

    /**
     * The checkpoint up to which every peer has applied (TombstoneCollector): a tombstone collected
     * at or below it holds no delete a change still to arrive is concurrent with.
     */
    public static final String STABLE_CHECKPOINT_FUNCTION = SCHEMA + ".stable_checkpoint";

    private ReplicationSchema() {}

    /** The publication that feeds the node's capture. */
    public static String publicationName(String nodeId) {
        return "syncline_" + sqlSafe(nodeId);
    }

    /**
     * The Kafka topic, in {@code nodeId}'s own cluster, that holds the transactions the node
     * publishes: its own and those it forwards. One partition, so that each origin's
     * transactions stay in commit order.
     */
    public static String outboxTopic(String nodeId) {
        return "syncline.outbox." + nodeId;
    }

    /**
     * The Kafka topic, in {@code nodeId}'s own cluster, where the running node publishes a small
     * heartbeat record every second or so. Peers take its growing end offset as the sign of life;
     * kept apart from the outbox so that outboxes stop growing when writes stop.
     */
    public static String heartbeatTopic(String nodeId) {
        return "syncline.heartbeat." + nodeId;
    }

    /** The logical replication slot of the node's capture. */
    public static String slotName(String nodeId) {
        return "syncline_" + sqlSafe(nodeId);
    }

    /**
     * The replication origin an apply session of changes from {@code originNode} marks its
     * transactions with; the capture skips every transaction that carries a replication origin,
     * which is how applied changes are never published again (no echo).
     */
    public static String replicationOriginName(String originNode) {
        return "syncline_from_" + sqlSafe(originNode);
    }

    private static String sqlSafe(String nodeId) {
        return nodeId.replace('-', '_');
    }
}
