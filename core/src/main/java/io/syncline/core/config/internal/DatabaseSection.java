package io.syncline.core.config.internal;

import io.syncline.core.config.DatabaseConfig;
import io.syncline.core.config.Secret;
import java.util.List;
import java.util.Optional;

/** {@code database:}, this node's own PostgreSQL. */
final class DatabaseSection extends Section<DatabaseConfig> {

    static final Setting<String> URL = Setting.required("url", ValueTypes.JDBC_URL,
            "JDBC URL of this node's PostgreSQL").withNotes("optionally with pgjdbc parameters"
                    + " (?sslmode=verify-full&sslrootcert=...) that every connection of the node gets, Debezium's included;"
                    + " unsupported ones are refused (list in docs/high-availability.md)");
    static final Setting<String> USER = Setting.required("user", ValueTypes.text("a PostgreSQL role name"),
            "PostgreSQL role the node connects as");
    static final SecretSetting PASSWORD = SecretSetting.required("password", "database password");
    static final Setting<Integer> POOL_SIZE = Setting.withDefault("pool-size", ValueTypes.integer(1, 1024), 8,
            "maximum number of pooled database connections");

    @Override
    public List<Setting<?>> settings() {
        return concat(List.of(URL, USER), PASSWORD.settings(), List.of(POOL_SIZE));
    }

    @Override
    List<SecretSetting> secrets() {
        return List.of(PASSWORD);
    }

    @Override
    Optional<DatabaseConfig> read(MapReader map) {
        Optional<String> url = URL.read(map);
        Optional<String> user = USER.read(map);
        Optional<Secret> password = PASSWORD.read(map);
        Optional<Integer> poolSize = POOL_SIZE.read(map);
        if (!allPresent(url, user, password, poolSize)) {
            return Optional.empty();
        }
        return Optional.of(new DatabaseConfig(url.get(), user.get(), password.get(), poolSize.get()));
    }
}
