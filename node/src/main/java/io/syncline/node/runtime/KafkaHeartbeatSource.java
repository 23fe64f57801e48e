package io.syncline.node.runtime;

import io.syncline.connector.HeartbeatProbe;
import io.syncline.topology.HeartbeatSource;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;

/** Heartbeats read from each peer's own Kafka. One monitoring thread; close when done. */
final class KafkaHeartbeatSource implements HeartbeatSource, AutoCloseable {

    private final Map<String, HeartbeatProbe> probes;
    private final Duration timeout;

    /** @param probes one per watched peer; owned (closed) by this source */
    KafkaHeartbeatSource(Map<String, HeartbeatProbe> probes, Duration timeout) {
        this.probes = Map.copyOf(probes);
        this.timeout = timeout;
    }

    @Override
    public OptionalLong latestBeat(String peer) {
        HeartbeatProbe probe = probes.get(peer);
        return probe == null ? OptionalLong.empty() : probe.endOffset(timeout);
    }

    @Override
    public void close() {
        probes.values().forEach(HeartbeatProbe::close);
    }
}
