package io.syncline.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.syncline.apply.TransactionApplier;
import io.syncline.connector.OutboxReader;
import io.syncline.node.metrics.ReplicationMeters;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.ds.PGSimpleDataSource;

/** How a link ends when what it reads from fails: visibly, in FAILED or RETRYING, never a thread that is just gone. */
@Timeout(30)
class ReplicationLinkFailureTest {

    private final LinkStatus status = new LinkStatus("dc-a");

    @Test
    void anUnexpectedFailureStopsTheLinkInFailedWithItsCause() {
        ReplicationLink link = link(() -> {
            throw new IllegalStateException("a bug in the reader");
        });

        link.run();

        assertThat(status.state()).isEqualTo(LinkStatus.State.FAILED);
        assertThat(status.lastError()).contains("[dc-b <- dc-a]", "unexpected failure", "a bug in the reader",
                "restart the node");
    }

    @Test
    void aKafkaFailureThatRepeatsOnEveryRetryStopsTheLinkInFailed() {
        ReplicationLink link = link(() -> {
            throw new TopicAuthorizationException("Not authorized to access topics: [syncline.outbox.dc-a]");
        });

        link.run();

        assertThat(status.state()).isEqualTo(LinkStatus.State.FAILED);
        assertThat(status.lastError()).contains("Kafka refuses", "Not authorized to access topics: [syncline.outbox.dc-a]");
    }

    @Test
    void aPassingKafkaFailureIsRetriedUntilTheLinkIsStopped() throws InterruptedException {
        ReplicationLink link = link(() -> {
            throw new TimeoutException("the broker did not answer in time");
        });
        Thread thread = new Thread(link);
        thread.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> status.state() == LinkStatus.State.RETRYING);
        assertThat(status.lastError()).contains("the broker did not answer in time");
        link.stop();
        thread.join(10_000);

        assertThat(status.state()).isEqualTo(LinkStatus.State.STOPPED);
    }

    private ReplicationLink link(Supplier<OutboxReader> readers) {
        TransactionApplier applier = new TransactionApplier("dc-b", new PGSimpleDataSource());
        return new ReplicationLink("dc-b", "dc-a", readers, applier, () -> null, null, status,
                new ReplicationMeters(Clock.systemUTC()), Clock.systemUTC());
    }
}
