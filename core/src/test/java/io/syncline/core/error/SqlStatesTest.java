package io.syncline.core.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlStatesTest {

    @ParameterizedTest
    @CsvSource({
            "08006, RETRIABLE", // connection_failure
            "53300, RETRIABLE", // too_many_connections
            "40001, RETRIABLE", // serialization_failure
            "40P01, RETRIABLE", // deadlock_detected
            "55P03, RETRIABLE", // lock_not_available
            "55006, RETRIABLE", // object_in_use
            "57P01, RETRIABLE", // admin_shutdown
            "40002, PERMANENT", // transaction_integrity_constraint_violation: the same commit fails again
            "57P04, PERMANENT", // database_dropped
            "23505, PERMANENT", // unique_violation
            "22001, PERMANENT", // string_data_right_truncation
            "42703, PERMANENT", // undefined_column
            "28P01, PERMANENT"}) // invalid_password
    void sortsEachStateTheSameWayForCaptureAndApply(String state, FailureKind kind) {
        assertThat(SqlStates.kindOf(state)).contains(kind);
    }

    @Test
    void somethingThatIsNoSqlStateTellsNothing() {
        assertThat(SqlStates.kindOf(null)).isEmpty();
        assertThat(SqlStates.kindOf("08")).isEmpty();
    }

    @Test
    void findsTheFirstStateAmongCausesAndNextExceptions() {
        BatchUpdateException batch = new BatchUpdateException("batch entry 3 was aborted", null, 0, new int[0]);
        batch.setNextException(new SQLException("duplicate key value", "23505"));
        RuntimeException wrapped = new RuntimeException("applying", batch);

        assertThat(SqlStates.firstIn(wrapped)).contains("23505");
        assertThat(SqlStates.firstIn(new RuntimeException("no database involved"))).isEmpty();
    }
}
