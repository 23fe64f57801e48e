package io.syncline.node.membership;

import io.syncline.connector.OutboxReader;
import io.syncline.connector.ReceivedTransaction;
import io.syncline.core.event.ChainLink;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a joining node starts reading one upstream's outbox, given what the copy holds of each
 * origin ({@link SeedPosition}): at the first record the copy does not hold. Reads the outbox
 * from its oldest record to its end once, decoding each record's origin and chain link. A record
 * is needed when its transaction follows the copy's position of its origin, which its chain link
 * tells even for a chunk of a large transaction (its predecessor is at or after that position).
 *
 * <p>Refuses when the first needed record of an origin does not directly follow the copy's
 * position (its predecessor is later, or it belongs to another identity of the origin): the
 * records in between are gone from the outbox (retention, a recreated topic), and the joining node
 * would stop in a gap as soon as it ran. Not thread-safe.
 */
public final class StartOffsets {

    private static final Logger log = LoggerFactory.getLogger(StartOffsets.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration BOUNDS_TIMEOUT = Duration.ofSeconds(15);

    /** {@link Start#offset()} of an outbox that does not exist yet. */
    public static final long FROM_BEGINNING = -1;

    /**
     * Where to start an upstream's outbox, and how far it reached when read.
     *
     * @param offset the first offset to read, or {@link #FROM_BEGINNING} for an outbox that does not exist yet
     * @param needed the records from {@code offset} to {@code end} the copy does not hold
     */
    public record Start(String upstream, String topic, long offset, long end, long needed) {}

    private final Map<String, SeedPosition> seeds;
    private final CopyFrontier frontier;
    private final Map<String, Long> chainStarts = new HashMap<>();
    private final Duration timeout;

    /**
     * @param seeds   per origin, what the copy holds of it
     * @param timeout how long the read of one outbox may take
     */
    public StartOffsets(Map<String, SeedPosition> seeds, Duration timeout) {
        this.seeds = Map.copyOf(seeds);
        this.frontier = new CopyFrontier(seeds);
        this.timeout = timeout;
    }

    /**
     * @param sourceRead the offset of the upstream's outbox the peer the copy comes from had read to in the snapshot,
     *                   empty when it does not read that outbox
     * @param source     that peer, for the message
     * @throws JoinRefusedException when records the joining node needs are gone, or the outbox cannot be read
     *         to its end within the timeout
     */
    public Start of(String upstream, Supplier<OutboxReader> readers, OptionalLong sourceRead, String source) {
        try (OutboxReader reader = readers.get()) {
            long deadline = System.nanoTime() + timeout.toNanos();
            if (!reader.exists(BOUNDS_TIMEOUT)) {
                // Its node never published: the link reads it from its beginning once the node creates it.
                return new Start(upstream, reader.topic(), FROM_BEGINNING, 0, 0);
            }
            OutboxReader.Bounds bounds = bounds(upstream, reader, deadline);
            if (sourceRead.isPresent() && bounds.beginning() > sourceRead.getAsLong()) {
                // What the peer had not read yet is not in the copy; gone from the outbox, it reaches this node nowhere.
                throw new JoinRefusedException("outbox " + reader.topic() + " of " + upstream + " no longer holds what this"
                        + " node needs: it begins at offset " + bounds.beginning() + ", and " + source + ", the peer the copy"
                        + " comes from, had read it up to offset " + sourceRead.getAsLong() + "; the records from there on are"
                        + " not in the copy and are gone (retention, or the topic was recreated). Join from a peer that"
                        + " applied more of " + upstream + ", or raise the outbox's retention; nothing was copied");
            }
            reader.seek(OptionalLong.of(bounds.beginning()));
            long start = -1;
            long needed = 0;
            Set<String> seen = new HashSet<>();
            while (reader.position() < bounds.end()) {
                if (System.nanoTime() > deadline) {
                    throw new JoinRefusedException("cannot read outbox " + reader.topic() + " of " + upstream + " to its end"
                            + " (offset " + bounds.end() + ") within " + timeout.toSeconds() + " s: read up to offset "
                            + reader.position() + "; check that its Kafka is reachable, then run syncline join again");
                }
                List<ReceivedTransaction> received = reader.poll(POLL);
                for (ReceivedTransaction record : received) {
                    noteChainStart(record);
                    if (!needs(record)) {
                        continue;
                    }
                    needed++;
                    if (start < 0) {
                        start = record.offset();
                    }
                    if (seen.add(record.originNode())) {
                        checkContinues(upstream, reader.topic(), record);
                    }
                }
            }
            return new Start(upstream, reader.topic(), start >= 0 ? start : reader.position(), bounds.end(), needed);
        }
    }

    /**
     * The position of the first transaction of each origin's chain seen in the outbox, under the identity the
     * copy holds of it: what the joining node records as the chain's start, so that the chain's first transaction
     * read again later is a duplicate, not a restart.
     */
    public Map<String, Long> chainStarts() {
        return Map.copyOf(chainStarts);
    }

    private void noteChainStart(ReceivedTransaction record) {
        ChainLink chain = record.isChunk() ? record.chunk().chain() : record.transaction().chain();
        long position = record.isChunk() ? record.chunk().originPosition() : record.transaction().originPosition();
        if (chain != null && chain.first() && position >= 0) {
            SeedPosition seed = seeds.get(record.originNode());
            if (seed != null && chain.identity().equals(seed.identity())) {
                chainStarts.putIfAbsent(record.originNode(), position);
            }
        }
    }

    /** The outbox's bounds, asked again while the broker does not answer, until {@code deadline}. */
    private OutboxReader.Bounds bounds(String upstream, OutboxReader reader, long deadline) {
        while (true) {
            try {
                return reader.bounds(BOUNDS_TIMEOUT);
            } catch (TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new JoinRefusedException("cannot read the offsets of outbox " + reader.topic() + " of " + upstream
                            + " within " + timeout.toSeconds() + " s (" + e.getMessage() + "); check that its Kafka is"
                            + " reachable with the settings of peers." + upstream + ", then run syncline join again");
                }
                log.warn("outbox {} of {}: no offsets yet ({}); asking again", reader.topic(), upstream, e.getMessage());
            }
        }
    }

    private boolean needs(ReceivedTransaction record) {
        return record.isChunk()
                ? frontier.needs(record.originNode(), record.chunk().chain(), record.chunk().originPosition())
                : frontier.needs(record.originNode(), record.transaction().chain(), record.transaction().originPosition());
    }

    /** The first needed record of an origin must continue the copy's position of it. */
    private void checkContinues(String upstream, String topic, ReceivedTransaction record) {
        ChainLink chain = record.isChunk() ? record.chunk().chain() : record.transaction().chain();
        String gap = frontier.gap(record.originNode(), chain);
        if (gap != null) {
            throw new JoinRefusedException("outbox " + topic + " of " + upstream + " no longer holds what this node needs of"
                    + " origin " + record.originNode() + ": " + gap + ", at offset " + record.offset() + "; the transactions"
                    + " in between are gone (retention, or the topic was recreated). Join from a peer that applied more of "
                    + record.originNode() + ", or raise the outbox's retention; nothing was copied");
        }
    }
}
