package io.syncline.core.config.internal;

import io.syncline.core.config.MetricsBasicAuth;
import io.syncline.core.config.MetricsSettings;
import io.syncline.core.config.MetricsTls;
import io.syncline.core.config.Secret;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@code metrics:}, the node's HTTP endpoint for metrics, health and status. */
final class MetricsSection extends Section<MetricsSettings> {

    static final Setting<String> LISTEN = Setting.optional("listen",
            ValueTypes.matching(Pattern.compile("[A-Za-z0-9.\\-]+:(6553[0-5]|655[0-2]\\d|65[0-4]\\d{2}|6[0-4]\\d{3}|[1-5]?\\d{1,4})"),
                    "host:port like 127.0.0.1:9464 or 0.0.0.0:9464"),
            "where the node serves /metrics (Prometheus), /livez, /readyz and /status over HTTP (a name or IPv4"
                    + " address; 0.0.0.0 for every interface), plain and without authentication unless tls and basic-auth"
                    + " are set; unset: nothing is served and syncline status cannot ask the node (see docs/operations.md)");
    static final Setting<MetricsTls> TLS = Setting.optional("tls", new TlsSection(),
            "serve HTTPS with this keystore instead of plain HTTP");
    static final Setting<MetricsBasicAuth> BASIC_AUTH = Setting.optional("basic-auth", new BasicAuthSection(),
            "the user name and password /metrics and /status ask for (basic authentication); /livez and /readyz"
                    + " stay open and show their reasons only to a caller that sends them");

    @Override
    public List<Setting<?>> settings() {
        return List.of(LISTEN, TLS, BASIC_AUTH);
    }

    @Override
    Optional<MetricsSettings> read(MapReader map) {
        Optional<String> listen = LISTEN.read(map);
        Optional<MetricsTls> tls = TLS.read(map);
        Optional<MetricsBasicAuth> basicAuth = BASIC_AUTH.read(map);
        if (!map.has(LISTEN.key())) {
            for (Setting<?> needsListen : List.of(TLS, BASIC_AUTH)) {
                map.keyNode(needsListen.key()).ifPresent(node -> map.context().error(node, map.child(needsListen.key()),
                        "nothing is served without " + map.child(LISTEN.key()) + "; expected listen: host:port beside it,"
                                + " or no " + needsListen.key()));
            }
        }
        return Optional.of(new MetricsSettings(listen, tls, basicAuth));
    }

    /** {@code metrics.tls:}. */
    static final class TlsSection extends Section<MetricsTls> {

        static final Setting<Path> KEYSTORE = Setting.required("keystore",
                ValueTypes.path("a keystore file path (relative to this config file)"),
                "PKCS12 or JKS keystore with the endpoint's private key and certificate chain");
        static final SecretSetting KEYSTORE_PASSWORD = SecretSetting.required("keystore-password",
                "password of the metrics keystore and its key");

        @Override
        public List<Setting<?>> settings() {
            return concat(List.of(KEYSTORE), KEYSTORE_PASSWORD.settings());
        }

        @Override
        List<SecretSetting> secrets() {
            return List.of(KEYSTORE_PASSWORD);
        }

        @Override
        Optional<MetricsTls> read(MapReader map) {
            Optional<Path> keystore = KEYSTORE.read(map);
            Optional<Secret> password = KEYSTORE_PASSWORD.read(map);
            return allPresent(keystore, password) ? Optional.of(new MetricsTls(keystore.get(), password.get())) : Optional.empty();
        }
    }

    /** {@code metrics.basic-auth:}. */
    static final class BasicAuthSection extends Section<MetricsBasicAuth> {

        static final Setting<String> USERNAME = Setting.required("username",
                ValueTypes.matching(Pattern.compile("[^:\\s]+"), "a user name without ':' or spaces"),
                "the user name /metrics and /status accept");
        static final SecretSetting PASSWORD = SecretSetting.required("password", "password of the metrics endpoint");

        @Override
        public List<Setting<?>> settings() {
            return concat(List.of(USERNAME), PASSWORD.settings());
        }

        @Override
        List<SecretSetting> secrets() {
            return List.of(PASSWORD);
        }

        @Override
        Optional<MetricsBasicAuth> read(MapReader map) {
            Optional<String> username = USERNAME.read(map);
            Optional<Secret> password = PASSWORD.read(map);
            return allPresent(username, password) ? Optional.of(new MetricsBasicAuth(username.get(), password.get()))
                    : Optional.empty();
        }
    }
}
