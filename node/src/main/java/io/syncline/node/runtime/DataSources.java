package io.syncline.node.runtime;

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

    /**
     * The pool the node's appliers write with. Its sessions run in UTC whatever this JVM's time
     * zone: the applier reads local rows as text and stores them in conflict metadata (frontiers)
     * next to remote values, which the capture renders in UTC. A session in another zone renders
     * a {@code timestamptz} as other text for the same instant, so the nodes' metadata and text
     * comparisons of such values would differ (see PostgreSQL "Date/Time Output": timestamptz is
     * shown in the session's TimeZone).
     */
    public static HikariDataSource createForApplier(String nodeId, String url, String user, String password, int poolSize) {
        return create(nodeId, url, user, password, poolSize, "SET TIME ZONE 'UTC'");
    }

    public static HikariDataSource create(String nodeId, String url, String user, String password, int poolSize) {
        return create(nodeId, url, user, password, poolSize, null);
    }

    private static HikariDataSource create(String nodeId, String url, String user, String password, int poolSize,
            String connectionInitSql) {
        HikariConfig config = new HikariConfig();
        if (connectionInitSql != null) {
            config.setConnectionInitSql(connectionInitSql);
        }
        config.setPoolName("syncline-" + nodeId);
        // pgjdbc otherwise puts the server's detail ("Failing row contains (...)") and a failed batch entry's
        // statement with its parameters into exception messages, and from there into logs and link status.
        // Code that needs the detail reads it from the ServerErrorMessage, which keeps it.
        config.addDataSourceProperty("logServerErrorDetail", "false");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);
        // Fail fast at start, and tell the operator which database did not answer.
        config.setInitializationFailTimeout(10_000);
        config.setConnectionTimeout(10_000);
        return new HikariDataSource(config);
    }
}
