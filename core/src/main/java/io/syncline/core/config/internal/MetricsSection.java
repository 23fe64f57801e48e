package io.syncline.core.config.internal;

import io.syncline.core.config.MetricsSettings;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@code metrics:}, the node's HTTP endpoint for metrics, health and status. */
final class MetricsSection extends Section<MetricsSettings> {

    static final Setting<String> LISTEN = Setting.optional("listen",
            ValueTypes.matching(Pattern.compile("[A-Za-z0-9.\\-]+:(6553[0-5]|655[0-2]\\d|65[0-4]\\d{2}|6[0-4]\\d{3}|[1-5]?\\d{1,4})"),
                    "host:port like 127.0.0.1:9464 or 0.0.0.0:9464"),
            "where to serve /metrics (Prometheus), /livez, /readyz and /status over HTTP; unset: not served");

    @Override
    List<String> keys() {
        return List.of(LISTEN.key());
    }

    @Override
    Optional<MetricsSettings> read(MapReader map) {
        return Optional.of(new MetricsSettings(LISTEN.read(map)));
    }
}
