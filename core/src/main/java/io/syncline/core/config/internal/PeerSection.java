package io.syncline.core.config.internal;

import io.syncline.core.config.KafkaConfig;
import io.syncline.core.config.PeerConfig;
import java.util.List;
import java.util.Optional;

/** {@code peers[i]:}, another node and its Kafka cluster. */
final class PeerSection extends Section<PeerConfig> {

    static final Setting<String> ID = Setting.required("id", ValueTypes.NODE_ID, "the peer's node id");
    static final Setting<KafkaConfig> KAFKA = Setting.required("kafka", new KafkaSection(),
            "the peer's own Kafka cluster, which this node reads");

    @Override
    public List<Setting<?>> settings() {
        return List.of(ID, KAFKA);
    }

    @Override
    Optional<PeerConfig> read(MapReader map) {
        Optional<String> id = ID.read(map);
        Optional<KafkaConfig> kafka = KAFKA.read(map);
        if (!allPresent(id, kafka)) {
            return Optional.empty();
        }
        return Optional.of(new PeerConfig(id.get(), kafka.get()));
    }
}
