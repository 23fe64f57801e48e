package io.syncline.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.VersionVector;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeFailureTest {

    private final RowChange change = new RowChange("public.t", Operation.INSERT, Map.of("id", "1"), null, Map.of("id", "1"), null,
            new RowVersion(new RowClock(1L, "dc-a"), VersionVector.of(Map.of("dc-a", 1L))));
    private final SourceTransaction transaction = new SourceTransaction("dc-a", 7, 1L, 3, List.of("dc-a"), List.of(change));

    @Test
    void keepsTheMessageAndSqlStateSoThatItIsClassifiedAsTheFailure() {
        SQLException refused = new SQLException("duplicate key", "23505");
        SQLException located = ChangeFailure.at(refused, transaction, change);
        ApplyErrorClassifier classifier = new ApplyErrorClassifier();
        assertThat(located.getMessage()).isEqualTo("duplicate key");
        assertThat(located.getSQLState()).isEqualTo("23505");
        assertThat(classifier.isRefusedRow(located)).isTrue();
        assertThat((Object) ChangeFailure.unwrap(located)).isSameAs(refused);
        assertThat(ChangeFailure.of(located).transaction()).isSameAs(transaction);
        assertThat(ChangeFailure.of(located).change()).isSameAs(change);
    }

    @Test
    void theFirstPlaceAFailureIsLocatedWins() {
        RowChange other = new RowChange("public.t", Operation.DELETE, Map.of("id", "2"), null, Map.of(), null, change.version());
        SQLException located = ChangeFailure.at(new SQLException("x", "40001"), transaction, change);
        assertThat((Object) ChangeFailure.at(located, transaction, other)).isSameAs(located);
        assertThat((Object) ChangeFailure.of(new SQLException("unlocated"))).isNull();
    }
}
