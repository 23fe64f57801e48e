package io.syncline.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.syncline.core.schema.ReplicationSchema;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ControlRecordTest {

    @Test
    void aProgressReportTravelsAsTheUpdateOfItsNodesRowAndReadsBack() {
        ProgressReport report = new ProgressReport("dc-a", "{\"dc-b\": 12}", "{\"dc-b\": 10}", true);

        RowChange change = report.toRowChange();

        assertThat(change.table()).isEqualTo(ReplicationSchema.PROGRESS_REPORT_TABLE);
        assertThat(change.operation()).isEqualTo(Operation.UPDATE);
        assertThat(change.key()).containsExactly(Map.entry("node_id", "dc-a"));
        assertThat(ControlRecord.of(change)).contains(report);
    }

    @Test
    void aSchemaChangeTravelsAsTheInsertOfItsRowAndReadsBack() {
        SchemaChangeRecord record = new SchemaChangeRecord("dc-b", 7, "[\"ALTER TABLE t ADD c int\"]", "[]", "\"$user\", public");

        RowChange change = record.toRowChange();

        assertThat(change.table()).isEqualTo(ReplicationSchema.SCHEMA_CHANGE_TABLE);
        assertThat(change.operation()).isEqualTo(Operation.INSERT);
        assertThat(change.key()).containsEntry("origin_node", "dc-b").containsEntry("id", "7");
        assertThat(ControlRecord.of(change)).contains(record);
    }

    @Test
    void aChangeOfAUserTableIsNoControlRecord() {
        RowChange change = new RowChange("public.accounts", Operation.UPDATE, Map.of("id", "1"), null, Map.of("id", "1"),
                Set.of(), RowVersion.INITIAL);

        assertThat(ControlRecord.of(change)).isEmpty();
    }

    @Test
    void aControlRowThatLacksAColumnIsRefusedNamingIt() {
        RowChange noId = new RowChange(ReplicationSchema.SCHEMA_CHANGE_TABLE, Operation.INSERT, Map.of("origin_node", "dc-b"), null,
                Map.of("statements", "[]", "expectations", "[]"), Set.of(), RowVersion.INITIAL);
        RowChange idNotANumber = new RowChange(ReplicationSchema.SCHEMA_CHANGE_TABLE, Operation.INSERT,
                Map.of("origin_node", "dc-b", "id", "x"), null, Map.of("statements", "[]", "expectations", "[]"), Set.of(),
                RowVersion.INITIAL);

        assertThatThrownBy(() -> ControlRecord.of(noId)).hasMessage("schema change without id");
        assertThatThrownBy(() -> ControlRecord.of(idNotANumber)).hasMessageContaining("not a number: x");
    }

    @Test
    void aTransactionOfReportsOnlyIsToldApartFromOneWithData() {
        RowChange report = new ProgressReport("dc-a", "{}", "{}", false).toRowChange();
        RowChange data = new RowChange("public.accounts", Operation.INSERT, Map.of("id", "1"), null, Map.of("id", "1"), Set.of(),
                RowVersion.INITIAL);

        assertThat(ControlRecord.onlyOf(transaction(report), ProgressReport.class)).isTrue();
        assertThat(ControlRecord.onlyOf(transaction(report, data), ProgressReport.class)).isFalse();
        assertThat(ControlRecord.anyOf(transaction(data, report), ProgressReport.class)).isTrue();
        assertThat(ControlRecord.anyOf(transaction(data), SchemaChangeRecord.class)).isFalse();
    }

    private static SourceTransaction transaction(RowChange... changes) {
        return new SourceTransaction("dc-a", 100, 1_000_000L, 1, List.of("dc-a"), List.of(changes),
                new ChainLink(new OriginIdentity(1, 1), ChainLink.NONE));
    }
}
