package io.syncline.core.event;

import io.syncline.core.schema.ReplicationSchema;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A schema change run through {@code syncline ddl} at its origin, a row of
 * {@link ReplicationSchema#SCHEMA_CHANGE_TABLE} committed with the change, alone in its source
 * transaction. Each receiving applier runs it at this point of the origin's stream
 * (docs/schema-changes.md).
 *
 * @param originNode   the node where the change was run
 * @param id           its id there
 * @param statements   the statements, as the JSON array the row holds
 * @param expectations the facts they leave in the tables, as a JSON array
 * @param searchPath   the origin's {@code search_path} when it ran them
 */
public record SchemaChangeRecord(String originNode, long id, String statements, String expectations, String searchPath)
        implements ControlRecord {

    private static final String RECORD = "schema change";

    public SchemaChangeRecord {
        Objects.requireNonNull(originNode, "originNode");
        Objects.requireNonNull(statements, "statements");
        Objects.requireNonNull(expectations, "expectations");
    }

    @Override
    public RowChange toRowChange() {
        Map<String, String> key = new LinkedHashMap<>();
        key.put("origin_node", originNode);
        key.put("id", Long.toString(id));
        Map<String, String> values = new LinkedHashMap<>();
        values.put("statements", statements);
        values.put("expectations", expectations);
        values.put("search_path", searchPath);
        return new RowChange(ReplicationSchema.SCHEMA_CHANGE_TABLE, Operation.INSERT, key, null, values, Set.of(),
                RowVersion.INITIAL);
    }

    static SchemaChangeRecord from(RowChange change) {
        String id = ControlColumns.required(change.key(), "id", RECORD);
        try {
            return new SchemaChangeRecord(ControlColumns.required(change.key(), "origin_node", RECORD), Long.parseLong(id),
                    ControlColumns.required(change.values(), "statements", RECORD),
                    ControlColumns.required(change.values(), "expectations", RECORD), change.values().get("search_path"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(RECORD + " with an id that is not a number: " + id, e);
        }
    }
}
