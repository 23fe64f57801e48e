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

class GroupKeysTest {

    private static final RowVersion VERSION = new RowVersion(new RowClock(1, "dc-a"), VersionVector.of(Map.of("dc-a", 1L)));

    @Test
    void tablesComeInNameOrderAndEachKeyOnceWithItsFirstWriter() {
        RowChange itemTwo = change("public.item", Operation.UPDATE, 2, null);
        RowChange accountOne = change("public.account", Operation.INSERT, 1, null);
        RowChange itemOneAgain = change("public.item", Operation.UPDATE, 2, null);
        SourceTransaction first = transaction(1, itemTwo, accountOne);
        SourceTransaction second = transaction(2, itemOneAgain, change("public.item", Operation.DELETE, 7, null));

        var byTable = GroupKeys.of(List.of(first, second));

        assertThat(byTable.keySet()).containsExactly("public.account", "public.item");
        assertThat(byTable.get("public.item").keySet()).containsExactly(Map.of("id", "2"), Map.of("id", "7"));
        assertThat(byTable.get("public.item").get(Map.of("id", "2"))).isEqualTo(new GroupKeys.Writer(first, itemTwo));
        assertThat(GroupKeys.count(byTable)).isEqualTo(3);
    }

    @Test
    void aKeyChangeLocksItsOldKeyTooAndProgressReportsNothing() {
        RowChange move = change("public.item", Operation.UPDATE, 5, Map.of("id", "4"));
        RowChange report = new RowChange(ReplicationSchema.PROGRESS_REPORT_TABLE, Operation.UPDATE, Map.of("node", "dc-a"), null,
                Map.of("applied", "{}"), null, VERSION);

        var byTable = GroupKeys.of(List.of(transaction(1, move, report)));

        assertThat(byTable.keySet()).containsExactly("public.item");
        assertThat(byTable.get("public.item").keySet()).containsExactlyInAnyOrder(Map.of("id", "5"), Map.of("id", "4"));
    }

    private static RowChange change(String table, Operation operation, int id, Map<String, String> oldKey) {
        Map<String, String> values = operation == Operation.DELETE ? Map.of() : Map.of("id", Integer.toString(id));
        return new RowChange(table, operation, Map.of("id", Integer.toString(id)), oldKey, values, null, VERSION);
    }

    private static SourceTransaction transaction(long position, RowChange... changes) {
        return new SourceTransaction("dc-a", position, 0, position, List.of("dc-a"), List.of(changes));
    }
}
