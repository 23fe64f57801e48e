package io.syncline.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.apply.internal.ApplyErrorClassifier.Kind;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApplyErrorClassifierTest {

    private final ApplyErrorClassifier classifier = new ApplyErrorClassifier();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "08006, RETRIABLE", // connection failure
        "08003, RETRIABLE",
        "40001, RETRIABLE", // serialization failure
        "40P01, RETRIABLE", // deadlock
        "55P03, RETRIABLE", // lock timeout
        "55006, RETRIABLE", // replication origin busy
        "57P01, RETRIABLE", // admin shutdown
        "53300, RETRIABLE", // too many connections
        "42P01, PERMANENT", // undefined table
        "42703, PERMANENT", // undefined column
        "22P02, PERMANENT", // invalid text representation
        "23505, PERMANENT", // unique violation
        "23503, PERMANENT", // foreign key violation
        "28P01, PERMANENT", // bad password
        "XX000, PERMANENT",
    })
    void sortsBySqlState(String sqlState, Kind kind) {
        assertThat(classifier.classify(new SQLException("x", sqlState))).isEqualTo(kind);
    }

    @Test
    void looksIntoNextExceptionsAndCauses() {
        BatchUpdateException batch = new BatchUpdateException("batch failed", null, 0, new int[0], null);
        batch.setNextException(new SQLException("deadlock", "40P01"));
        assertThat(classifier.classify(batch)).isEqualTo(Kind.RETRIABLE);
        assertThat(classifier.classify(new RuntimeException(new SQLException("gone", "08006")))).isEqualTo(Kind.RETRIABLE);
    }

    @Test
    void poolTimeoutsAreRetriableAndUnknownErrorsPermanent() {
        assertThat(classifier.classify(new SQLTransientConnectionException("pool timeout"))).isEqualTo(Kind.RETRIABLE);
        assertThat(classifier.classify(new SQLException("no state"))).isEqualTo(Kind.PERMANENT);
        assertThat(classifier.classify(new IllegalStateException("bug"))).isEqualTo(Kind.PERMANENT);
    }

    @ParameterizedTest(name = "{0} refused row: {1}")
    @CsvSource({
        "23505, true", // unique violation
        "23503, true", // foreign key violation
        "23514, true", // check violation
        "23502, true", // not-null violation
        "22001, true", // value too long
        "22P02, true", // invalid text representation
        "42703, false", // undefined column: the schema, not the row
        "42501, false", // insufficient privilege
        "40001, false", // serialization failure: retriable
    })
    void onlyDataAndConstraintErrorsAreRefusedRows(String sqlState, boolean refused) {
        BatchUpdateException batch = new BatchUpdateException("batch failed", null, 0, new int[0], null);
        batch.setNextException(new SQLException("x", sqlState));
        assertThat(classifier.isRefusedRow(batch)).isEqualTo(refused);
        assertThat(classifier.isRefusedRow(new SQLException("x", sqlState))).isEqualTo(refused);
    }

    @ParameterizedTest(name = "{0} lock wait: {1}")
    @CsvSource({
        "55P03, true", // lock_not_available: lock_timeout expired
        "40P01, true", // deadlock_detected: this session was the victim
        "40001, false", // serialization failure
        "57014, false", // statement_timeout
        "23505, false",
    })
    void onlyLockTimeoutsAndDeadlocksAreLockWaits(String sqlState, boolean lockWait) {
        BatchUpdateException batch = new BatchUpdateException("batch failed", null, 0, new int[0], null);
        batch.setNextException(new SQLException("x", sqlState));
        assertThat(classifier.isLockWait(batch)).isEqualTo(lockWait);
        assertThat(classifier.isLockWait(new SQLException("x", sqlState))).isEqualTo(lockWait);
    }

    @Test
    void anUndefinedColumnIsADroppedColumnWhereverItIsInTheChain() {
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 was aborted", "42703", new int[0]);
        assertThat(classifier.isDroppedColumn(new SQLException("column \"note\" does not exist", "42703"))).isTrue();
        assertThat(classifier.isDroppedColumn(new RuntimeException(batch))).isTrue();
        assertThat(classifier.isDroppedColumn(new SQLException("x", "42P01"))).isFalse();
        assertThat(classifier.isDroppedColumn(new SQLException("no state"))).isFalse();
    }
}
