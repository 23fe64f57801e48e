package io.syncline.connector;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.error.FailureKind;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class KafkaErrorsTest {

    @Test
    void failuresThatRepeatOnEveryRetryArePermanentAnywhereInTheChain() {
        assertThat(KafkaErrors.kindOf(new ProducerFencedException("another producer took over"))).isEqualTo(FailureKind.PERMANENT);
        assertThat(KafkaErrors.kindOf(new KafkaException("sending", new TopicAuthorizationException("denied"))))
                .isEqualTo(FailureKind.PERMANENT);
    }

    @Test
    void passingAndAbortableFailuresAreRetriable() {
        assertThat(KafkaErrors.kindOf(new TimeoutException("no answer"))).isEqualTo(FailureKind.RETRIABLE);
        assertThat(KafkaErrors.kindOf(new NotLeaderOrFollowerException("leader moved"))).isEqualTo(FailureKind.RETRIABLE);
        assertThat(KafkaErrors.kindOf(new KafkaException("the transaction was aborted"))).isEqualTo(FailureKind.RETRIABLE);
    }
}
