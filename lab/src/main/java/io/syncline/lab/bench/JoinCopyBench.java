package io.syncline.lab.bench;

import io.syncline.core.schema.ReplicationSchema;
import io.syncline.lab.demo.LocalCluster;
import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import io.syncline.lab.env.embedded.EmbeddedEnvironment;
import io.syncline.node.membership.SnapshotCopy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How fast {@code syncline join} copies a peer's tables ({@code join}), against {@code pg_dump
 * --data-only | psql} of the same rows in the same run. dc-a holds {@code rows} rows in each of two
 * replicated tables, stamped by init; the yardstick pipes them into an empty database of dc-b's
 * server with the same columns and primary keys and no triggers; then the join's copy
 * ({@link SnapshotCopy}, with the join's defaults) copies them from one snapshot of dc-a into dc-b's
 * init'ed, empty tables. pg_dump and psql come from the PostgreSQL binaries the servers run on; a
 * build without them measures the copy alone and says why.
 */
final class JoinCopyBench {

    static final List<String> TABLES = List.of(BenchTable.NAME, "bench.items_b");

    /**
     * @param rows             rows copied, both tables together
     * @param joinRowsPerSecond the join's copy
     * @param dumpRowsPerSecond {@code pg_dump | psql} of the same rows; null when not measured
     * @param dumpMissing      why it was not measured; null when it was
     */
    record Result(long rows, double joinRowsPerSecond, Double dumpRowsPerSecond, String dumpMissing) {

        /** The join's rate over {@code pg_dump | psql}'s; null when the latter was not measured. */
        Double ratio() {
            return dumpRowsPerSecond == null ? null : joinRowsPerSecond / dumpRowsPerSecond;
        }
    }

    private JoinCopyBench() {}

    static Result run(List<PostgresServer> databases, List<KafkaCluster> kafka, int rows, Path workDirectory) throws Exception {
        try (LocalCluster cluster = new LocalCluster(List.of("dc-a", "dc-b"), "all-to-all", databases, kafka, TABLES,
                workDirectory)) {
            for (int i = 0; i < 2; i++) {
                try (Connection connection = connect(cluster.server(i)); Statement statement = connection.createStatement()) {
                    for (String table : TABLES) {
                        statement.execute(BenchTable.CREATE.replace(BenchTable.NAME, table));
                    }
                }
            }
            try (Connection connection = connect(cluster.server(0)); Statement statement = connection.createStatement()) {
                for (String table : TABLES) {
                    statement.execute("INSERT INTO " + table + " SELECT g, 0, repeat('x', 40) FROM generate_series(1, " + rows
                            + ") g");
                }
            }
            cluster.initAll();
            long total = 2L * rows;
            Optional<Path> pgDump = EmbeddedEnvironment.clientProgram("pg_dump");
            Optional<Path> psql = EmbeddedEnvironment.clientProgram("psql");
            Double dumpRate = null;
            String missing = null;
            if (pgDump.isPresent() && psql.isPresent()) {
                dumpRate = dumpAndRestore(cluster.server(0), cluster.server(1), pgDump.get(), psql.get(), total, workDirectory);
            } else {
                missing = "no pg_dump or psql in " + EmbeddedEnvironment.postgresBinDir() + ", the PostgreSQL binaries the"
                        + " bench runs on (the bundled build has the server programs only); set SYNCLINE_POSTGRES_BIN to a"
                        + " full PostgreSQL bin directory to measure pg_dump | psql";
            }
            return new Result(total, joinCopy(cluster.server(0), cluster.server(1), total), dumpRate, missing);
        }
    }

    /** Rows per second of the join's copy from one snapshot of {@code source} into {@code target}'s init'ed tables. */
    private static double joinCopy(PostgresServer source, PostgresServer target, long rows) throws Exception {
        List<String> tables = new ArrayList<>(TABLES);
        tables.add(ReplicationSchema.TOMBSTONE_TABLE);
        SnapshotCopy.Listener quiet = new SnapshotCopy.Listener() {
            @Override
            public void tableStarted(String table, long tableRows, long copiedBefore, boolean finished) {}

            @Override
            public void chunkCommitted(String table, long copied) {}
        };
        long started = System.nanoTime();
        try (Connection from = connect(source); Connection to = connect(target)) {
            from.setAutoCommit(false);
            try (Statement statement = from.createStatement()) {
                statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            new SnapshotCopy("dc-b", SnapshotCopy.DEFAULT_CHUNK_ROWS, quiet).copy(from, to, tables, SnapshotCopy.DEFAULT_WORKERS,
                    () -> connect(source), () -> connect(target));
            from.rollback();
        }
        long nanos = System.nanoTime() - started;
        expectRows(target, target.database(), rows);
        return rows / (nanos / 1e9);
    }

    /** Rows per second of {@code pg_dump --data-only -t ... | psql} into a new database of {@code target}'s server. */
    private static double dumpAndRestore(PostgresServer source, PostgresServer target, Path pgDump, Path psql, long rows,
            Path workDirectory) throws Exception {
        String database = "pg_dump_target";
        try (Connection from = connect(source); Connection admin = connect(target)) {
            try (Statement statement = admin.createStatement()) {
                statement.execute("CREATE DATABASE " + database);
            }
            try (Connection to = DriverManager.getConnection(url(target, database), target.user(), target.password());
                    Statement statement = to.createStatement()) {
                statement.execute("CREATE SCHEMA bench");
                for (String table : TABLES) {
                    statement.execute(createTable(from, table));
                }
            }
        }
        List<String> dump = new ArrayList<>(List.of(pgDump.toString(), "--data-only", "-h", source.host(), "-p",
                String.valueOf(source.port()), "-U", source.user()));
        TABLES.forEach(table -> dump.addAll(List.of("-t", table)));
        dump.add(source.database());
        List<String> restore = List.of(psql.toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", target.host(), "-p",
                String.valueOf(target.port()), "-U", target.user(), "-d", database);
        Path errors = Files.createTempFile(workDirectory, "pg_dump-", ".log");
        ProcessBuilder dumpProcess = new ProcessBuilder(dump).redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile()));
        ProcessBuilder restoreProcess = new ProcessBuilder(restore).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile()));
        dumpProcess.environment().put("PGPASSWORD", source.password());
        restoreProcess.environment().put("PGPASSWORD", target.password());
        long started = System.nanoTime();
        List<Process> pipeline = ProcessBuilder.startPipeline(List.of(dumpProcess, restoreProcess));
        for (Process process : pipeline) {
            if (process.waitFor() != 0) {
                throw new IllegalStateException("pg_dump | psql failed (exit " + process.exitValue() + "): "
                        + Files.readString(errors, StandardCharsets.UTF_8).strip());
            }
        }
        long nanos = System.nanoTime() - started;
        expectRows(target, database, rows);
        return rows / (nanos / 1e9);
    }

    /** The table's columns (generated ones left out, as both copies leave them out) and primary key, without triggers. */
    static String createTable(Connection connection, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT quote_ident(a.attname)"
                + " || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ''"
                + " END FROM pg_catalog.pg_attribute a WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped"
                + " AND a.attgenerated = '' ORDER BY a.attnum")) {
            statement.setString(1, table);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_catalog.pg_get_constraintdef(c.oid) FROM"
                + " pg_catalog.pg_constraint c WHERE c.conrelid = ?::regclass AND c.contype = 'p'")) {
            statement.setString(1, table);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        return columns.stream().collect(Collectors.joining(", ", "CREATE TABLE " + table + " (", ")"));
    }

    private static void expectRows(PostgresServer server, String database, long rows) throws SQLException {
        long count = 0;
        try (Connection connection = DriverManager.getConnection(url(server, database), server.user(), server.password());
                Statement statement = connection.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    count += rs.getLong(1);
                }
            }
        }
        if (count != rows) {
            throw new IllegalStateException("the copy into " + database + " at " + server.name() + " holds " + count + " rows of "
                    + TABLES + ", not " + rows);
        }
    }

    private static Connection connect(PostgresServer server) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
    }

    private static String url(PostgresServer server, String database) {
        return "jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + database;
    }
}
