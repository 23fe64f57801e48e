package io.syncline.node.internal;

import io.syncline.core.config.KafkaConfig;
import io.syncline.core.config.SecurityConfig;
import java.util.HashMap;
import java.util.Map;

/** Kafka client settings for one configured cluster: bootstrap servers and security. */
public final class KafkaSettings {

    private KafkaSettings() {}

    /** Reads secrets now: a missing variable or file fails here, before any client starts. */
    public static Map<String, Object> of(KafkaConfig kafka) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        SecurityConfig security = kafka.security();
        settings.put("security.protocol", security.protocol().name());
        security.saslMechanism().ifPresent(mechanism -> {
            String mechanismName = mechanism.configName();
            settings.put("sasl.mechanism", mechanismName);
            String module = mechanismName.startsWith("SCRAM")
                    ? "org.apache.kafka.common.security.scram.ScramLoginModule"
                    : "org.apache.kafka.common.security.plain.PlainLoginModule";
            settings.put("sasl.jaas.config", module + " required username=\"" + escape(security.username().orElseThrow())
                    + "\" password=\"" + escape(security.password().orElseThrow().reveal()) + "\";");
        });
        security.truststore().ifPresent(truststore -> {
            settings.put("ssl.truststore.location", truststore.path().toString());
            truststore.password().ifPresent(password -> settings.put("ssl.truststore.password", password.reveal()));
        });
        return settings;
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
