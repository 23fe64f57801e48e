package io.syncline.core.event;

import io.syncline.core.schema.ReplicationSchema;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A node's progress report, a row of {@link ReplicationSchema#PROGRESS_REPORT_TABLE} at that node:
 * what it has applied of every origin and what of it is stable there, published in commit order
 * with its own writes. A peer that applied the report has applied everything the node wrote before
 * it; peers keep the latest report of each node and tombstone collection reads them.
 *
 * @param node     the reporting node
 * @param applied  the positions applied per origin, as the JSON object the report row holds
 * @param stable   the positions whose tombstones are stable at the node, as a JSON object
 * @param awaiting whether the node waits for its peers before it collects (a joining node, for one)
 */
public record ProgressReport(String node, String applied, String stable, boolean awaiting) implements ControlRecord {

    private static final String RECORD = "progress report";

    public ProgressReport {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(applied, "applied");
        Objects.requireNonNull(stable, "stable");
    }

    @Override
    public RowChange toRowChange() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("applied", applied);
        values.put("stable", stable);
        values.put("awaiting", Boolean.toString(awaiting));
        return new RowChange(ReplicationSchema.PROGRESS_REPORT_TABLE, Operation.UPDATE, Map.of("node_id", node), null,
                values, Set.of(), RowVersion.INITIAL);
    }

    static ProgressReport from(RowChange change) {
        return new ProgressReport(ControlColumns.required(change.key(), "node_id", RECORD),
                ControlColumns.required(change.values(), "applied", RECORD),
                ControlColumns.required(change.values(), "stable", RECORD),
                Boolean.parseBoolean(change.values().get("awaiting")));
    }
}
