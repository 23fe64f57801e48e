package io.syncline.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ConcurrentModificationException;
import org.junit.jupiter.api.Test;

class ApplyFailuresTest {

    @Test
    void aFailureWithoutAMessageIsNamedByItsException() throws RetriableApplyException {
        ApplyException failure = ApplyFailures.of(new ConcurrentModificationException(), "[dc-b <- dc-a]", "dc-a");

        assertThat(failure).hasMessageContaining("permanent failure while applying a batch from dc-a:"
                + " java.util.ConcurrentModificationException. The target transaction was rolled back");
    }
}
