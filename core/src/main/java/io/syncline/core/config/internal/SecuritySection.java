package io.syncline.core.config.internal;

import io.syncline.core.config.SaslMechanism;
import io.syncline.core.config.Secret;
import io.syncline.core.config.SecurityConfig;
import io.syncline.core.config.SecurityProtocol;
import io.syncline.core.config.TruststoreConfig;
import java.util.List;
import java.util.Optional;

/** {@code security:} of a Kafka cluster: Kafka's protocol, SASL login and truststore. */
final class SecuritySection extends Section<SecurityConfig> {

    static final Setting<SecurityProtocol> PROTOCOL = Setting.withDefault("protocol",
            ValueTypes.oneOf(SecurityProtocol.class, SecurityProtocol::name, "security protocol"),
            SecurityProtocol.PLAINTEXT, "Kafka security.protocol");
    static final Setting<SaslMechanism> SASL_MECHANISM = Setting.optional("sasl-mechanism",
            ValueTypes.oneOf(SaslMechanism.class, SaslMechanism::configName, "SASL mechanism"),
            "Kafka sasl.mechanism, for SASL protocols");
    static final Setting<String> USERNAME = Setting.optional("username", ValueTypes.text("a SASL username"),
            "SASL username, for SASL protocols");
    static final SecretSetting PASSWORD = SecretSetting.optional("password", "Kafka SASL password");
    static final Setting<TruststoreConfig> TRUSTSTORE = Setting.optional("truststore", new TruststoreSection(),
            "truststore for TLS protocols; the JVM's default trust when absent");

    @Override
    public List<Setting<?>> settings() {
        return concat(List.of(PROTOCOL, SASL_MECHANISM, USERNAME), PASSWORD.settings(), List.of(TRUSTSTORE));
    }

    @Override
    List<SecretSetting> secrets() {
        return List.of(PASSWORD);
    }

    @Override
    Optional<SecurityConfig> read(MapReader map) {
        Optional<SecurityProtocol> protocol = PROTOCOL.read(map);
        Optional<SaslMechanism> mechanism = SASL_MECHANISM.read(map);
        Optional<String> username = USERNAME.read(map);
        Optional<Secret> password = PASSWORD.read(map);
        Optional<TruststoreConfig> truststore = TRUSTSTORE.read(map);
        if (protocol.isEmpty()) {
            return Optional.empty();
        }
        SecurityProtocol p = protocol.get();
        LoadContext ctx = map.context();
        if (p.usesSasl()) {
            requirePresent(map, SASL_MECHANISM.isIn(map), SASL_MECHANISM.key(), p,
                    "one of " + ValueTypes.spellings(SaslMechanism.class, SaslMechanism::configName));
            requirePresent(map, USERNAME.isIn(map), USERNAME.key(), p, "the SASL username");
            requirePresent(map, PASSWORD.isIn(map), PASSWORD.base() + "-env", p,
                    "the SASL password as password-env or password-file");
        } else {
            for (String key : List.of(SASL_MECHANISM.key(), USERNAME.key())) {
                refuse(map, key, p);
            }
            PASSWORD.keys().forEach(key -> refuse(map, key, p));
        }
        if (!p.usesTls() && map.has(TRUSTSTORE.key())) {
            ctx.error(map.keyNode(TRUSTSTORE.key()).orElseThrow(), map.child(TRUSTSTORE.key()),
                    "only TLS protocols use a truststore; expected SSL or SASL_SSL as protocol, or no truststore");
        }
        return Optional.of(new SecurityConfig(p, mechanism, username, password, truststore));
    }

    private static void requirePresent(MapReader map, boolean present, String key, SecurityProtocol p, String what) {
        if (!present) {
            map.context().error(map.context().locationOf(map.child(PROTOCOL.key())), map.child(key),
                    "missing; protocol " + p + " needs it; expected " + what);
        }
    }

    private static void refuse(MapReader map, String key, SecurityProtocol p) {
        map.keyNode(key).ifPresent(node -> map.context().error(node, map.child(key),
                "only SASL protocols use " + key + "; expected SASL_PLAINTEXT or SASL_SSL as protocol, or no "
                        + key + " with " + p));
    }
}
