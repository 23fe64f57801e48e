package io.syncline.node.runtime;

import io.syncline.connector.OutboxReader;
import java.util.Optional;
import java.util.OptionalLong;

/** Whether a link can resume where it stopped: the records after its stored offset must still be in the outbox. */
final class OutboxGap {

    private static final String RECOVERY = " Nothing after the gap is applied. To recover: bring this node's replicated tables"
            + " in line with the upstream's origins (re-sync), then DELETE the link's row from syncline.link_offset and its"
            + " origins' rows from syncline.applied_position and restart the node (docs/continuity.md)";

    private OutboxGap() {}

    /**
     * @param stored the offset the link stored with its last applied batch, empty when it never read this outbox
     * @return why the link cannot resume, or empty when it can
     */
    static Optional<String> check(String topic, OptionalLong stored, OutboxReader.Bounds bounds) {
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        long offset = stored.getAsLong();
        if (offset < bounds.beginning()) {
            return Optional.of("records this node still needs are gone from " + topic + ": the stored offset is " + offset
                    + ", the topic now begins at " + bounds.beginning() + " (deleted by retention.ms or by deleteRecords), so "
                    + (bounds.beginning() - offset) + " offset(s) were never applied." + RECOVERY);
        }
        if (offset > bounds.end()) {
            return Optional.of(topic + " ends at offset " + bounds.end() + ", before the stored offset " + offset
                    + ": the topic was deleted and created again; the stored offset belongs to the old topic, and"
                    + " neither what the old topic held past it nor what the new one holds was applied here." + RECOVERY);
        }
        return Optional.empty();
    }

    /** The records the link was about to read vanished while it ran. */
    static String vanished(String kafkaMessage) {
        return "the records this link was about to read are gone from the outbox (" + kafkaMessage + ")." + RECOVERY;
    }
}
