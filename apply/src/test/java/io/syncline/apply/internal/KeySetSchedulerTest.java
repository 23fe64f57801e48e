package io.syncline.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.VersionVector;
import io.syncline.core.schema.ReplicationSchema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeySetSchedulerTest {

    private static final RowVersion VERSION = new RowVersion(new RowClock(1, "dc-a"), VersionVector.of(Map.of("dc-a", 1L)));

    private final KeySetScheduler scheduler = new KeySetScheduler();

    @Test
    void targetTransactionsWithDisjointKeysWaitForNone() {
        assertThat(scheduler.admit(group(update("public.item", "1"), update("public.item", "2")))).isEqualTo(KeySetScheduler.NONE);
        assertThat(scheduler.admit(group(update("public.item", "3")))).isEqualTo(KeySetScheduler.NONE);
        assertThat(scheduler.admit(group(update("public.other", "1")))).isEqualTo(KeySetScheduler.NONE);
        assertThat(scheduler.admitted()).isEqualTo(3);
    }

    @Test
    void aSharedKeyWaitsForTheLatestEarlierWriterOfIt() {
        scheduler.admit(group(update("public.item", "1")));
        scheduler.admit(group(update("public.item", "2")));
        scheduler.admit(group(update("public.item", "3")));

        assertThat(scheduler.admit(group(update("public.item", "2"), update("public.item", "1")))).isEqualTo(1);
        assertThat(scheduler.admit(group(update("public.item", "1")))).isEqualTo(3);
    }

    @Test
    void theSameKeyInAnotherTableIsAnotherKey() {
        scheduler.admit(group(update("public.item", "1")));

        assertThat(scheduler.admit(group(update("public.other", "1")))).isEqualTo(KeySetScheduler.NONE);
    }

    @Test
    void theOldKeyOfAKeyChangeIsSharedWithItsWriters() {
        scheduler.admit(group(update("public.item", "1")));
        RowChange move = new RowChange("public.item", Operation.UPDATE, Map.of("id", "9"), Map.of("id", "1"),
                Map.of("id", "9", "v", "x"), null, VERSION);

        assertThat(scheduler.admit(group(move))).isEqualTo(0);
        assertThat(scheduler.admit(group(update("public.item", "9")))).isEqualTo(1);
    }

    @Test
    void aControlTableChangeWaitsForAllBeforeItAndAllAfterItWaitForIt() {
        scheduler.admit(group(update("public.item", "1")));
        scheduler.admit(group(update("public.item", "2")));
        RowChange schemaChange = new RowChange(ReplicationSchema.SCHEMA_CHANGE_TABLE, Operation.INSERT,
                Map.of("origin_node", "dc-a", "id", "1"), null, Map.of("statements", "[]"), null, RowVersion.INITIAL);

        assertThat(scheduler.admit(group(schemaChange))).isEqualTo(1);
        assertThat(scheduler.admit(group(update("public.item", "3")))).isEqualTo(2);
        assertThat(scheduler.admit(group(update("public.item", "3")))).isEqualTo(3);
    }

    static RowChange update(String table, String id) {
        return new RowChange(table, Operation.UPDATE, Map.of("id", id), null, Map.of("id", id, "v", "x"), null, VERSION);
    }

    private static List<SourceTransaction> group(RowChange... changes) {
        return List.of(new SourceTransaction("dc-a", 1, 0, 1, List.of("dc-a"), List.of(changes)));
    }
}
