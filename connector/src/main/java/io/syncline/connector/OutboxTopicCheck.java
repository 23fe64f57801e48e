package io.syncline.connector;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.TopicConfig;

/** The settings of an existing outbox topic that keep less than the node's settings ask for. */
final class OutboxTopicCheck {

    private OutboxTopicCheck() {}

    /**
     * @param replicas          the topic's replica count
     * @param current           its configuration
     * @param wantedReplicas    the replicas the node would create it with
     * @param wantedMinInsync   the {@code min.insync.replicas} it would create it with
     * @param wantedRetentionMs the {@code retention.ms} it would create it with, -1 for forever
     * @return one warning per weaker setting, naming it and what to do
     */
    static List<String> weaker(String topic, int replicas, Config current, int wantedReplicas, int wantedMinInsync,
            long wantedRetentionMs) {
        List<String> warnings = new ArrayList<>();
        long retentionMs = longValue(current, TopicConfig.RETENTION_MS_CONFIG, -1);
        if (retentionMs >= 0 && (wantedRetentionMs < 0 || retentionMs < wantedRetentionMs)) {
            warnings.add(topic + " has retention.ms=" + retentionMs + ", less than the " + (wantedRetentionMs < 0 ? "unlimited"
                    : wantedRetentionMs + " ms") + " configured (capture.outbox-retention): records a peer still needs can be"
                    + " deleted, and that peer stops in GAP. Set it with kafka-configs.sh --alter --entity-type topics"
                    + " --entity-name " + topic + " --add-config retention.ms=" + wantedRetentionMs);
        }
        long retentionBytes = longValue(current, TopicConfig.RETENTION_BYTES_CONFIG, -1);
        if (retentionBytes >= 0) {
            warnings.add(topic + " has retention.bytes=" + retentionBytes + ": records a peer still needs can be deleted, and"
                    + " that peer stops in GAP. Set retention.bytes=-1");
        }
        if (replicas < wantedReplicas) {
            warnings.add(topic + " has " + replicas + " replica(s), fewer than " + wantedReplicas
                    + " (capture.outbox-replication-factor): reassign its partition to more brokers");
        }
        long minInsync = longValue(current, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, 1);
        if (minInsync < wantedMinInsync) {
            warnings.add(topic + " has min.insync.replicas=" + minInsync + ", fewer than " + wantedMinInsync
                    + " (capture.outbox-min-insync-replicas): a transaction counts as published before enough replicas hold"
                    + " it. Set min.insync.replicas=" + wantedMinInsync);
        }
        if ("true".equals(value(current, TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG))) {
            warnings.add(topic + " has unclean.leader.election.enable=true: a replica that missed published transactions"
                    + " can become leader and lose them. Set it to false");
        }
        return warnings;
    }

    private static long longValue(Config config, String name, long absent) {
        String value = value(config, name);
        return value == null ? absent : Long.parseLong(value);
    }

    private static String value(Config config, String name) {
        ConfigEntry entry = config.get(name);
        return entry == null ? null : entry.value();
    }
}
