package io.syncline.node.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.syncline.core.config.DatabaseConfig;

/** The node's HikariCP pool on its own PostgreSQL. */
public final class DataSources {

    private DataSources() {}

    /** Reads the password secret now, so a missing variable or file fails at start with its setting named. */
    public static HikariDataSource create(String nodeId, DatabaseConfig database) {
        return create(nodeId, database.url(), database.user(), database.password().reveal(), database.poolSize());
    }

    public static HikariDataSource create(String nodeId, String url, String user, String password, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("syncline-" + nodeId);
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        // pgjdbc starts sessions in the JVM's time zone. Values the applier reads back as text
        // (kept in a row's conflict frontier, compared by resolvers) must be spelled the same on
        // every node, as the capture spells them: in UTC.
        config.setConnectionInitSql("SET TIME ZONE 'UTC'");
        config.setMinimumIdle(1);
        // Fail fast at start, and tell the operator which database did not answer.
        config.setInitializationFailTimeout(10_000);
        config.setConnectionTimeout(10_000);
        return new HikariDataSource(config);
    }
}
