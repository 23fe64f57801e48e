package io.syncline.core.config;

import java.util.Objects;
import java.util.Optional;

/**
 * Where and how the node serves its metrics, health and status over HTTP ({@code metrics:}).
 * The loader guarantees that {@code tls} and {@code basicAuth} are present only with {@code listen}.
 *
 * @param listen    {@code host:port} to listen on; empty: no HTTP endpoint (the default)
 * @param tls       HTTPS with this keystore; empty: plain HTTP
 * @param basicAuth the credentials {@code /metrics} and {@code /status} ask for; empty: none
 */
public record MetricsSettings(Optional<String> listen, Optional<MetricsTls> tls, Optional<MetricsBasicAuth> basicAuth) {

    public MetricsSettings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(basicAuth, "basicAuth");
        listen.ifPresent(MetricsSettings::port);
    }

    /** Plain HTTP without authentication on {@code listen}. */
    public MetricsSettings(Optional<String> listen) {
        this(listen, Optional.empty(), Optional.empty());
    }

    public static MetricsSettings disabled() {
        return new MetricsSettings(Optional.empty());
    }

    /** {@code https} with TLS, else {@code http}. */
    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }

    /** The host part of {@link #listen()}: a name or an address ({@code 0.0.0.0} for every interface). */
    public Optional<String> host() {
        return listen.map(l -> l.substring(0, l.lastIndexOf(':')));
    }

    /** The port part of {@link #listen()}, 0 to 65535 (0: any free port). */
    public Optional<Integer> port() {
        return listen.map(MetricsSettings::port);
    }

    private static int port(String listen) {
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("listen must be host:port: " + listen);
        }
        int port = Integer.parseInt(listen.substring(colon + 1));
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range in " + listen);
        }
        return port;
    }
}
