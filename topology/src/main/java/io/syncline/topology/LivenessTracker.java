package io.syncline.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Decides which peers are down: a peer is alive while its heartbeat moved within the last
 * {@code failureTimeout}, and down once it has not (the peer stopped, or its Kafka stopped
 * answering, which looks the same from here). Only a <em>change</em> of the beat counts, so a
 * reachable Kafka whose node died is told apart from a live node; no wall clocks of other nodes
 * are compared. A peer counts as alive for {@code failureTimeout} after the tracker was created,
 * so a node that starts before its peers does not re-route at once.
 *
 * <p>Time comes from an injected monotonic clock in nanoseconds ({@link System#nanoTime} in
 * production). Thread-safe: one thread calls {@link #check}, any thread may read.
 */
public final class LivenessTracker {

    /**
     * One peer as last checked.
     *
     * @param peer      the peer's node id
     * @param alive     whether its heartbeat moved within the failure timeout
     * @param silentFor how long since its heartbeat last moved (or since tracking began); never negative
     * @param lastBeat  the last beat read, empty if none was ever read
     */
    public record PeerLiveness(String peer, boolean alive, Duration silentFor, OptionalLong lastBeat) {}

    private static final class Peer {
        OptionalLong lastBeat = OptionalLong.empty();
        long lastProgressNanos;
    }

    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private final long failureTimeoutNanos;
    private final LongSupplier nanoTime;
    private Set<String> dead = Set.of();

    /**
     * @param peers          the peers to watch (not this node)
     * @param failureTimeout how long a heartbeat may stand still before its peer is down; positive
     * @param nanoTime       a monotonic clock in nanoseconds
     */
    public LivenessTracker(Collection<String> peers, Duration failureTimeout, LongSupplier nanoTime) {
        if (failureTimeout.isNegative() || failureTimeout.isZero()) {
            throw new IllegalArgumentException("failureTimeout must be positive: " + failureTimeout);
        }
        this.failureTimeoutNanos = failureTimeout.toNanos();
        this.nanoTime = nanoTime;
        long now = nanoTime.getAsLong();
        for (String peer : peers) {
            Peer state = new Peer();
            state.lastProgressNanos = now;
            this.peers.put(peer, state);
        }
    }

    /** The watched peers, in the order given. */
    public List<String> peers() {
        return List.copyOf(peers.keySet());
    }

    /**
     * Reads every peer's heartbeat from {@code source} once and re-evaluates who is down.
     *
     * @return true if the set of down peers changed with this check
     */
    public boolean check(HeartbeatSource source) {
        Map<String, OptionalLong> beats = new LinkedHashMap<>();
        // Outside the lock: a source may block for a while on a peer whose Kafka is gone.
        for (String peer : peers()) {
            beats.put(peer, source.latestBeat(peer));
        }
        synchronized (this) {
            long now = nanoTime.getAsLong();
            beats.forEach((peer, beat) -> observe(peers.get(peer), beat, now));
            Set<String> nowDead = new TreeSet<>();
            peers.forEach((peer, state) -> {
                if (now - state.lastProgressNanos > failureTimeoutNanos) {
                    nowDead.add(peer);
                }
            });
            boolean changed = !nowDead.equals(dead);
            dead = Collections.unmodifiableSet(nowDead);
            return changed;
        }
    }

    private static void observe(Peer state, OptionalLong beat, long now) {
        if (beat.isPresent() && !beat.equals(state.lastBeat)) {
            state.lastBeat = beat;
            state.lastProgressNanos = now;
        }
    }

    /** The peers found down by the last {@link #check}; immutable. */
    public synchronized Set<String> dead() {
        return dead;
    }

    /** Every watched peer as of the last {@link #check}, with how long it has been silent now. */
    public synchronized List<PeerLiveness> snapshot() {
        long now = nanoTime.getAsLong();
        List<PeerLiveness> result = new ArrayList<>();
        peers.forEach((peer, state) -> result.add(new PeerLiveness(peer, !dead.contains(peer),
                Duration.ofNanos(Math.max(0, now - state.lastProgressNanos)), state.lastBeat)));
        return result;
    }

    /** How long {@code peer}'s heartbeat has stood still. */
    public synchronized Duration silentFor(String peer) {
        Peer state = peers.get(peer);
        if (state == null) {
            throw new IllegalArgumentException("peer " + peer + " is not watched; watched: " + peers.keySet());
        }
        return Duration.ofNanos(Math.max(0, nanoTime.getAsLong() - state.lastProgressNanos));
    }
}
