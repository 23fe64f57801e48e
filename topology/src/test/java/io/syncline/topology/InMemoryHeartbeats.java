package io.syncline.topology;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/** Heartbeats kept in memory: a counter per peer, and peers whose heartbeats cannot be read. Not thread-safe. */
final class InMemoryHeartbeats implements HeartbeatSource {

    private final Map<String, Long> beats = new HashMap<>();
    private final Map<String, Boolean> unreachable = new HashMap<>();

    void beat(String peer) {
        beats.merge(peer, 1L, Long::sum);
    }

    void unreachable(String peer, boolean value) {
        unreachable.put(peer, value);
    }

    @Override
    public OptionalLong latestBeat(String peer) {
        if (unreachable.getOrDefault(peer, false) || !beats.containsKey(peer)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(beats.get(peer));
    }
}
