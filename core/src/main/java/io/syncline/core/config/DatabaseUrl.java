package io.syncline.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code database.url}, {@code jdbc:postgresql://host[:port]/database[?name=value&...]}:
 * one host, and only {@link ConnectionParameter}s, so that every connection of the node (Debezium's,
 * which takes host, port and database apart, included) can be opened with the same settings. Immutable.
 *
 * @param host       the server's host name or address (an IPv6 address without brackets)
 * @param port       its port (5432 when the URL has none)
 * @param database   the database name
 * @param parameters decoded parameter values by pgjdbc name, in URL order
 */
public record DatabaseUrl(String host, int port, String database, Map<ConnectionParameter, String> parameters) {

    private static final String PREFIX = "jdbc:postgresql://";

    public DatabaseUrl {
        parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * @throws IllegalArgumentException naming what is wrong, e.g. the parameter that cannot be used
     */
    public static DatabaseUrl parse(String url) {
        if (!url.startsWith(PREFIX)) {
            throw new IllegalArgumentException("'" + url + "' is not a jdbc:postgresql://host:port/database URL");
        }
        URI uri;
        try {
            uri = new URI(url.substring("jdbc:".length()));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + url + "' is not a valid URL: " + e.getMessage());
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String database = path.startsWith("/") ? path.substring(1) : path;
        if (uri.getHost() == null || database.isEmpty()) {
            throw new IllegalArgumentException("'" + url + "' needs one host and a database name, e.g."
                    + " jdbc:postgresql://db.example:5432/app");
        }
        Map<ConnectionParameter, String> parameters = new LinkedHashMap<>();
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                Optional<String> refusal = ConnectionParameter.refusal(name, value);
                if (refusal.isPresent()) {
                    throw new IllegalArgumentException(refusal.get());
                }
                parameters.put(ConnectionParameter.forUrlName(name).orElseThrow(), value);
            }
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return new DatabaseUrl(host, uri.getPort() < 0 ? 5432 : uri.getPort(), database, parameters);
    }

    /** The URL again, parameters included (encoded as pgjdbc decodes them). */
    public String jdbcUrl() {
        StringBuilder url = new StringBuilder(PREFIX).append(host.contains(":") ? "[" + host + "]" : host)
                .append(':').append(port).append('/').append(database);
        char separator = '?';
        for (Map.Entry<ConnectionParameter, String> parameter : parameters.entrySet()) {
            url.append(separator).append(parameter.getKey().urlName()).append('=')
                    .append(URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8));
            separator = '&';
        }
        return url.toString();
    }

    /** The parameters by pgjdbc name. */
    public Map<String, String> parametersByName() {
        Map<String, String> byName = new LinkedHashMap<>();
        parameters.forEach((k, v) -> byName.put(k.urlName(), v));
        return byName;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
