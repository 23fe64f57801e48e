package io.syncline.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.conflict.LocalState;
import io.syncline.conflict.RowPlan;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowMetadata;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.VersionVector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WriteOpTest {

    private static final RowVersion VERSION = new RowVersion(new RowClock(1L, "dc-a"), VersionVector.of(Map.of("dc-a", 1L)));
    private static final LocalState ROW = LocalState.row(VERSION, Map.of("id", "1"));
    private static final LocalState TOMBSTONE = LocalState.tombstone(VERSION);

    private static RowPlan plan(RowPlan.Action action) {
        return new RowPlan(action, VERSION, null, null, null, RowMetadata.EMPTY, null, List.of());
    }

    @Test
    void anUpsertUpdatesALocalRowAndInsertsOtherwise() {
        assertThat(WriteOp.of(ROW, plan(RowPlan.Action.UPSERT_ROW))).isEqualTo(WriteOp.UPDATE_ROW);
        assertThat(WriteOp.of(TOMBSTONE, plan(RowPlan.Action.UPSERT_ROW))).isEqualTo(WriteOp.INSERT_ROW);
        assertThat(WriteOp.of(LocalState.NONE, plan(RowPlan.Action.UPSERT_ROW))).isEqualTo(WriteOp.INSERT_ROW);
    }

    @Test
    void aTombstoneReplacesALocalTombstoneAndIsOtherwiseWrittenOnlyIfAbsent() {
        assertThat(WriteOp.of(TOMBSTONE, plan(RowPlan.Action.WRITE_TOMBSTONE))).isEqualTo(WriteOp.UPSERT_TOMBSTONE);
        assertThat(WriteOp.of(LocalState.NONE, plan(RowPlan.Action.WRITE_TOMBSTONE)))
                .isEqualTo(WriteOp.INSERT_TOMBSTONE_IF_ABSENT);
    }

    @Test
    void keepingTheLocalStateSetsTheVersionOfWhatIsThere() {
        assertThat(WriteOp.of(ROW, plan(RowPlan.Action.KEEP_LOCAL))).isEqualTo(WriteOp.SET_ROW_VERSION);
        assertThat(WriteOp.of(TOMBSTONE, plan(RowPlan.Action.KEEP_LOCAL))).isEqualTo(WriteOp.SET_TOMBSTONE_VERSION);
        assertThat(WriteOp.of(ROW, plan(RowPlan.Action.DELETE_ROW))).isEqualTo(WriteOp.DELETE_ROW);
        assertThat(WriteOp.of(ROW, RowPlan.SKIP)).isEqualTo(WriteOp.SKIP);
    }

    @Test
    void onlyInsertsThatMayLoseARaceAndUpdatesOfLockedRowsCheckTheirCount() {
        assertThat(WriteOp.INSERT_ROW.check()).isEqualTo(WriteOp.Check.RACE);
        assertThat(WriteOp.INSERT_TOMBSTONE_IF_ABSENT.check()).isEqualTo(WriteOp.Check.RACE);
        assertThat(WriteOp.UPDATE_ROW.check()).isEqualTo(WriteOp.Check.ONE);
        assertThat(WriteOp.DELETE_ROW.check()).isEqualTo(WriteOp.Check.NONE);
    }
}
