package io.syncline.lab.env.embedded;

import io.syncline.lab.env.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run as local processes with {@code pg_ctl}.
 *
 * <p>Layout of its instance directory: {@code data/} (the cluster), {@code socket/} (a private
 * Unix socket directory), {@code postgres.log} (the server log) and {@code pg_ctl.log}. The port
 * is picked once and kept across restarts. Thread-safe: lifecycle methods are synchronized
 * ({@link EmbeddedServer}).
 */
final class LocalPostgres extends EmbeddedServer implements PostgresServer {

    static final String USER = "postgres";
    static final String PASSWORD = "syncline";
    static final String DATABASE = "syncline";
    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);

    private final Path dataDir;
    private final Path socketDir;
    private final Path serverLog;
    private final Path commandLog;
    private final PostgresBinaries binaries;
    private final ServerUser serverUser;
    private final int port;

    LocalPostgres(String name, Path dir, PostgresBinaries binaries, ServerUser serverUser) {
        super("PostgreSQL", name, dir);
        this.dataDir = dir.resolve("data");
        this.socketDir = dir.resolve("socket");
        this.serverLog = dir.resolve("postgres.log");
        this.commandLog = dir.resolve("pg_ctl.log");
        this.binaries = binaries;
        this.serverUser = serverUser;
        this.port = FreePorts.pick();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String host() {
        return HOST;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String database() {
        return DATABASE;
    }

    @Override
    public String user() {
        return USER;
    }

    @Override
    public String password() {
        return PASSWORD;
    }

    /** Creates the cluster, starts it and creates the database; called once, before any other method. */
    synchronized void initialize() {
        requireNew();
        long startedAt = System.nanoTime();
        Dirs.create(dir, "rwx------");
        serverUser.own(dir);
        Dirs.create(socketDir, "rwx------");
        serverUser.own(socketDir);
        Path passwordFile = dir.resolve("initdb.pw");
        try {
            Files.writeString(passwordFile, PASSWORD + "\n");
            serverUser.own(passwordFile);
            Commands.run(serverUser.wrap(List.of(binaries.initdb(),
                    "--pgdata=" + dataDir,
                    "--username=" + USER,
                    "--pwfile=" + passwordFile,
                    "--encoding=UTF8",
                    "--no-locale",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    // Skips only initdb's final flush of the new files; the server itself runs with fsync on.
                    "--no-sync")), dir, dir.resolve("initdb.log"), START_TIMEOUT);
            Files.delete(passwordFile);
            configure();
        } catch (IOException e) {
            throw new UncheckedIOException("[" + name + "] Cannot initialize PostgreSQL in " + dir, e);
        }
        launch();
        try (Connection connection = connect("postgres");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IllegalStateException("[" + name + "] Cannot create database " + DATABASE, e);
        }
        LOG.info("[{}] PostgreSQL ready at {} in {} ms (data in {}, server user {})",
                name, jdbcUrl(), (System.nanoTime() - startedAt) / 1_000_000, dataDir, serverUser);
    }

    /** Settings appended to the files initdb wrote, so that they hold across restarts. */
    private void configure() throws IOException {
        List<String> settings = new ArrayList<>(List.of(
                "",
                "# Syncline embedded environment",
                "listen_addresses = '" + HOST + "'",
                "port = " + port,
                "unix_socket_directories = '" + socketDir + "'",
                // Logical decoding (Debezium's pgoutput) and commit timestamps of row versions.
                "wal_level = logical",
                "track_commit_timestamp = on",
                "max_replication_slots = 20",
                "max_wal_senders = 20"));
        Files.write(dataDir.resolve("postgresql.conf"), settings, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        // Replication connections need their own lines: "all" does not match "replication"
        // (https://www.postgresql.org/docs/current/auth-pg-hba-conf.html).
        Files.write(dataDir.resolve("pg_hba.conf"), List.of(
                "# TYPE  DATABASE     USER  ADDRESS       METHOD",
                "local   all          all                 trust",
                "local   replication  all                 trust",
                "host    all          all   127.0.0.1/32  scram-sha-256",
                "host    replication  all   127.0.0.1/32  scram-sha-256"),
                StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    @Override
    protected void startServer() {
        if (Files.exists(serverLog)) {
            // pg_ctl -l appends as the server user: keep the file writable for it.
            serverUser.own(serverLog);
        }
        Commands.run(serverUser.wrap(List.of(binaries.pgCtl(), "start",
                "--pgdata=" + dataDir, "--log=" + serverLog, "--wait", "--timeout=" + START_TIMEOUT.toSeconds(),
                "--silent")), dir, commandLog, START_TIMEOUT.plusSeconds(10));
        awaitConnections();
    }

    private void awaitConnections() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            try (Connection connection = connect("postgres")) {
                if (connection.isValid(5)) {
                    return;
                }
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("[" + name + "] Interrupted while waiting for PostgreSQL", e);
            }
        }
        throw new IllegalStateException("[" + name + "] PostgreSQL at " + HOST + ":" + port
                + " accepts no connections after " + START_TIMEOUT.toSeconds() + " s (" + last
                + "); tail of " + serverLog + ":\n" + Commands.tail(serverLog, 30), last);
    }

    private Connection connect(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", USER);
        properties.setProperty("password", PASSWORD);
        properties.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + port + "/" + database, properties);
    }

    @Override
    protected void stopServer() {
        try {
            Commands.run(serverUser.wrap(List.of(binaries.pgCtl(), "stop", "--pgdata=" + dataDir,
                    "--mode=fast", "--wait", "--timeout=60", "--silent")), dir, commandLog, Duration.ofSeconds(70));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "\ntail of " + serverLog + ":\n"
                    + Commands.tail(serverLog, 30), e);
        }
    }

    @Override
    protected boolean mayStillRun() {
        return Files.exists(dataDir.resolve("postmaster.pid"));
    }

    @Override
    protected String address() {
        return jdbcUrl();
    }

    @Override
    public String toString() {
        return "PostgreSQL " + name + " at " + HOST + ":" + port;
    }

}
