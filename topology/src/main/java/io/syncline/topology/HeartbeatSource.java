package io.syncline.topology;

import java.util.OptionalLong;

/**
 * Where a node learns whether its peers are alive: each peer publishes heartbeats, and this
 * source tells how far a peer's heartbeats have come. Production reads the end offset of the
 * peer's heartbeat topic in the peer's own Kafka; tests use an in-memory counter.
 *
 * <p>Implementations must be safe to call from one monitoring thread; they may block, but
 * should give up after a short, bounded time.
 */
public interface HeartbeatSource {

    /**
     * A number that changes whenever {@code peer} published a new heartbeat (a counter or an
     * offset), or empty when the peer's heartbeats cannot be read right now (its Kafka does not
     * answer, the topic does not exist yet).
     */
    OptionalLong latestBeat(String peer);
}
