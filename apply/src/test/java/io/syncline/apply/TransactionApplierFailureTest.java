package io.syncline.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.util.ConcurrentModificationException;
import org.junit.jupiter.api.Test;

class TransactionApplierFailureTest {

    @Test
    void aFailureWithoutAMessageIsNamedByItsException() throws RetriableApplyException {
        try (HikariDataSource unused = new HikariDataSource()) {
            TransactionApplier applier = new TransactionApplier("dc-b", unused);

            ApplyException failure = applier.failure(new ConcurrentModificationException(), null, "[dc-b <- dc-a]", "dc-a");

            assertThat(failure).hasMessageContaining("permanent failure while applying a batch from dc-a:"
                    + " java.util.ConcurrentModificationException. The target transaction was rolled back");
        }
    }
}
