package io.syncline.connector;

import io.syncline.core.error.FailureKind;
import java.util.List;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * The one classification of Kafka's failures that capture, forwarding and the links' readers
 * share. Permanent are those that repeat however often the same work is tried: another process
 * of this node took over the transactional producer (fenced), the credentials or ACLs refuse it,
 * a record the broker will never take, a topic name or protocol the broker does not accept.
 * Every other Kafka failure is retriable: Kafka's own retriable errors, and the abortable ones
 * after which a new producer or consumer does the same work again. Stateless.
 */
public final class KafkaErrors {

    private static final List<Class<? extends KafkaException>> PERMANENT = List.of(
            ProducerFencedException.class,
            AuthenticationException.class,
            AuthorizationException.class,
            RecordTooLargeException.class,
            InvalidTopicException.class,
            UnsupportedVersionException.class);

    private KafkaErrors() {}

    /** Whether {@code failure} itself (not its causes) is one of the permanent Kafka failures. */
    public static boolean isPermanent(Throwable failure) {
        return PERMANENT.stream().anyMatch(type -> type.isInstance(failure));
    }

    /** The kind of a Kafka failure: permanent when any cause in its chain is, retriable otherwise. */
    public static FailureKind kindOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (isPermanent(t)) {
                return FailureKind.PERMANENT;
            }
        }
        return FailureKind.RETRIABLE;
    }
}
