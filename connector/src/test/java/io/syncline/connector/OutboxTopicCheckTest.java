package io.syncline.connector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.junit.jupiter.api.Test;

class OutboxTopicCheckTest {

    private static final String TOPIC = "syncline.outbox.dc-a";

    @Test
    void topicKeptForeverWithEnoughReplicasGetsNoWarning() {
        Config config = new Config(List.of(new ConfigEntry("retention.ms", "-1"), new ConfigEntry("retention.bytes", "-1"),
                new ConfigEntry("min.insync.replicas", "2"), new ConfigEntry("unclean.leader.election.enable", "false")));
        assertThat(OutboxTopicCheck.weaker(TOPIC, 3, config, 3, 2, -1)).isEmpty();
    }

    @Test
    void brokerDefaultRetentionIsNamedWhenTheOutboxShouldKeepRecordsForever() {
        Config config = new Config(List.of(new ConfigEntry("retention.ms", "604800000")));
        assertThat(OutboxTopicCheck.weaker(TOPIC, 1, config, 1, 1, -1)).singleElement().asString()
                .contains(TOPIC, "retention.ms=604800000", "unlimited", "--add-config retention.ms=-1");
    }

    @Test
    void retentionLongerThanConfiguredIsNotWeaker() {
        Config config = new Config(List.of(new ConfigEntry("retention.ms", "604800000")));
        assertThat(OutboxTopicCheck.weaker(TOPIC, 1, config, 1, 1, 86_400_000)).isEmpty();
    }

    @Test
    void eachWeakerSettingIsNamed() {
        Config config = new Config(List.of(new ConfigEntry("retention.ms", "-1"), new ConfigEntry("retention.bytes", "1000"),
                new ConfigEntry("min.insync.replicas", "1"), new ConfigEntry("unclean.leader.election.enable", "true")));
        assertThat(OutboxTopicCheck.weaker(TOPIC, 2, config, 3, 2, -1)).hasSize(4)
                .anySatisfy(w -> assertThat(w).contains("retention.bytes=1000"))
                .anySatisfy(w -> assertThat(w).contains("2 replica(s), fewer than 3"))
                .anySatisfy(w -> assertThat(w).contains("min.insync.replicas=1"))
                .anySatisfy(w -> assertThat(w).contains("unclean.leader.election.enable=true"));
    }
}
