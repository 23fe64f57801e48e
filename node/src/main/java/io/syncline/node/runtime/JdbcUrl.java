package io.syncline.node.runtime;

import java.net.URI;

/** Host, port and database of a {@code jdbc:postgresql://host:port/database} URL, which Debezium needs apart. */
record JdbcUrl(String host, int port, String database) {

    static JdbcUrl parse(String url) {
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("not a jdbc:postgresql:// URL: " + url);
        }
        URI uri = URI.create(url.substring("jdbc:".length()));
        String path = uri.getPath() == null ? "" : uri.getPath();
        String database = path.startsWith("/") ? path.substring(1) : path;
        if (uri.getHost() == null || database.isEmpty()) {
            throw new IllegalArgumentException("database.url needs a host and a database name, e.g."
                    + " jdbc:postgresql://db.example:5432/app: " + url);
        }
        return new JdbcUrl(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database);
    }
}
