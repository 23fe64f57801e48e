package io.syncline.lab.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The benchmark's table and its backlogs: {@code bench.items(id, v, pad)}, written in
 * transactions of a fixed number of rows, the same way for native replication and Syncline.
 */
final class BenchTable {

    static final String NAME = "bench.items";
    static final String CREATE = """
            CREATE SCHEMA IF NOT EXISTS bench;
            CREATE TABLE IF NOT EXISTS bench.items (
                id  integer PRIMARY KEY,
                v   integer NOT NULL,
                pad text    NOT NULL
            )""";

    private BenchTable() {}

    static void create(DataSource database) throws SQLException {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(CREATE);
        }
    }

    /** Rows 1..rows with v = 0, loaded in one go before replication is set up. */
    static void preload(DataSource database, int rows) throws SQLException {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO bench.items SELECT g, 0, repeat('x', 40) FROM generate_series(1, " + rows + ") g");
        }
    }

    /** Sets v = 1 on rows 1..rows, {@code perTransaction} rows per transaction. */
    static void updateBacklog(DataSource database, int rows, int perTransaction) throws SQLException {
        try (Connection connection = database.getConnection();
                PreparedStatement update = connection.prepareStatement("UPDATE bench.items SET v = 1 WHERE id BETWEEN ? AND ?")) {
            for (int first = 1; first <= rows; first += perTransaction) {
                update.setInt(1, first);
                update.setInt(2, Math.min(rows, first + perTransaction - 1));
                update.executeUpdate();
            }
        }
    }

    /** Inserts rows 1..rows with v = 1, {@code perTransaction} rows per transaction. */
    static void insertBacklog(DataSource database, int rows, int perTransaction) throws SQLException {
        try (Connection connection = database.getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO bench.items SELECT g, 1, repeat('y', 40) FROM generate_series(?::int, ?::int) g")) {
            for (int first = 1; first <= rows; first += perTransaction) {
                insert.setInt(1, first);
                insert.setInt(2, Math.min(rows, first + perTransaction - 1));
                insert.executeUpdate();
            }
        }
    }

    /** Rows with v = 1: how much of a backlog has arrived. */
    static long arrived(DataSource database) throws SQLException {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT count(*) FROM bench.items WHERE v = 1")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Whether row {@code id} has arrived with v = 1: one index lookup. */
    private static boolean hasArrived(DataSource database, long id) throws SQLException {
        try (Connection connection = database.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT 1 FROM bench.items WHERE id = ? AND v = 1")) {
            select.setLong(1, id);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Waits until rows 1..{@code rows} have arrived; returns the nanoTime when they had. Both
     * replications apply the backlog's transactions whole and in commit order, so its last row
     * arriving means that all have: polling that row is an index lookup, where counting would scan
     * the table every time and take the CPU of the replication being measured. The count is checked
     * once, at the end.
     */
    static long awaitArrived(DataSource database, long rows, long timeoutMillis) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!hasArrived(database, rows)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + arrived(database) + " of " + rows + " rows arrived within "
                        + timeoutMillis / 1000 + " s");
            }
            Thread.sleep(10);
        }
        long arrivedAt = System.nanoTime();
        long count = arrived(database);
        if (count < rows) {
            throw new IllegalStateException("the backlog's last row arrived while " + (rows - count) + " of the rows before it"
                    + " had not: the transactions were not applied in commit order");
        }
        return arrivedAt;
    }
}
