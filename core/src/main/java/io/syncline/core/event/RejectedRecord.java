package io.syncline.core.event;

import java.util.Map;
import java.util.Objects;

/**
 * A record read from an upstream outbox that failed validation: kept whole, with the reason, in
 * {@code syncline.quarantine} instead of being applied or forwarded.
 *
 * @param topic   the outbox it was read from
 * @param offset  its offset in that topic
 * @param origin  the origin node it names (body, else header), or null when none can be read
 * @param reason  why it was refused
 * @param detail  what exactly did not fit, for people
 * @param headers its Kafka headers, values as UTF-8 text; immutable
 * @param body    its value as read, or null for a record without one
 */
public record RejectedRecord(String topic, long offset, String origin, QuarantineReason reason, String detail,
        Map<String, String> headers, byte[] body) {

    public RejectedRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
        headers = Map.copyOf(headers);
    }
}
