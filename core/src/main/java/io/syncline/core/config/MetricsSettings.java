package io.syncline.core.config;

import java.util.Objects;
import java.util.Optional;

/**
 * Where the node serves its metrics, health and status over HTTP ({@code metrics:}).
 *
 * @param listen {@code host:port} to listen on; empty: no HTTP endpoint (the default)
 */
public record MetricsSettings(Optional<String> listen) {

    public MetricsSettings {
        Objects.requireNonNull(listen, "listen");
        listen.ifPresent(MetricsSettings::port);
    }

    public static MetricsSettings disabled() {
        return new MetricsSettings(Optional.empty());
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
