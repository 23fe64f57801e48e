package io.syncline.core.config;

import java.util.Arrays;
import java.util.Optional;

/** Kafka's {@code sasl.mechanism} for username/password authentication. */
public enum SaslMechanism {
    PLAIN("PLAIN"),
    SCRAM_SHA_256("SCRAM-SHA-256"),
    SCRAM_SHA_512("SCRAM-SHA-512");

    private final String configName;

    SaslMechanism(String configName) {
        this.configName = configName;
    }

    /** The spelling in the YAML file and in Kafka's {@code sasl.mechanism}. */
    public String configName() {
        return configName;
    }

    /** The mechanism spelled {@code name}, if any. */
    public static Optional<SaslMechanism> fromConfigName(String name) {
        return Arrays.stream(values()).filter(m -> m.configName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return configName;
    }
}
