package io.syncline.node.monitor;

import io.syncline.node.metrics.CatchUpEstimate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What {@link NodeSampler} found at one moment. Immutable.
 *
 * @param at          when it was taken
 * @param problems    why the node is not ready, in words that name the system; empty when its database and
 *                    its own Kafka answered
 * @param walRetained bytes of WAL the capture's slot keeps (current WAL position minus {@code restart_lsn})
 * @param walPending  bytes of WAL the capture has not confirmed (current position minus {@code confirmed_flush_lsn})
 * @param deadLetter  rows in {@code syncline.dead_letter}
 * @param links       per running link (by upstream), what only Kafka can tell
 */
record NodeSample(Instant at, List<String> problems, OptionalLong walRetained, OptionalLong walPending, OptionalLong deadLetter,
                  Map<String, LinkFacts> links) {

    /**
     * @param recordsBehind       the upstream outbox's end offset (last known) minus the next offset this link reads;
     *                            empty before both are known
     * @param bytesBehind         records behind times the mean bytes per offset the link read (transaction bodies);
     *                            NaN while either is unknown
     * @param endOffsetCurrent    whether the upstream's Kafka answered in this sample (else the end offset is older)
     * @param appliedRowsPerSecond rows applied per second since the previous sample
     * @param catchUp             the time to catch up at the recent net pace
     */
    record LinkFacts(OptionalLong recordsBehind, double bytesBehind, boolean endOffsetCurrent, double appliedRowsPerSecond,
                     CatchUpEstimate.Estimate catchUp) {}

    NodeSample {
        problems = List.copyOf(problems);
        links = Map.copyOf(links);
    }

    static NodeSample none(Instant at) {
        return new NodeSample(at, List.of("not sampled yet"), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
                Map.of());
    }
}
