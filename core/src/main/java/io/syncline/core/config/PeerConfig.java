package io.syncline.core.config;

import java.util.Objects;

/**
 * Another node of the topology and the Kafka cluster it writes to, which this node reads
 * ({@code peers[i]}).
 *
 * @param id the peer's node id, one of {@code topology.nodes}, never this node's
 * @param kafka the peer's own Kafka cluster
 */
public record PeerConfig(String id, KafkaConfig kafka) {

    public PeerConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kafka, "kafka");
    }
}
