package io.syncline.lab.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The application of the overhead benchmark: pgbench's simple-update transaction (update an
 * account, read it back, insert a history row) from several clients, in a process of its own.
 * An application never shares the node's JVM: in one process the node's garbage collection,
 * JIT compilation and safepoints would stall the application's threads too and be counted as
 * overhead on its writes. Each run warms up before the clock starts.
 */
final class AppWorkload {

    private static final int ACCOUNTS = 100_000;
    static final String CREATE_TABLES = """
            CREATE SCHEMA IF NOT EXISTS bench;
            CREATE TABLE bench.accounts (aid integer PRIMARY KEY, abalance integer NOT NULL, filler char(84));
            CREATE TABLE bench.history (hid bigserial PRIMARY KEY, aid integer NOT NULL, delta integer NOT NULL,
                                        mtime timestamptz NOT NULL DEFAULT now());
            INSERT INTO bench.accounts SELECT g, 0, '' FROM generate_series(1, %d) g;
            """.formatted(ACCOUNTS);
    static final String VACUUM_TABLES = "VACUUM ANALYZE bench.accounts, bench.history";
    static final List<String> TABLES = List.of("bench.accounts", "bench.history");

    private static final int CLIENTS = 4;
    private static final String PASSWORD_VARIABLE = "SYNCLINE_BENCH_PASSWORD";
    private static final Pattern RESULT = Pattern.compile("^committed (\\d+) in (\\d+) ms$", Pattern.MULTILINE);

    private AppWorkload() {}

    /**
     * Runs the workload in a child JVM and returns its committed transactions per second over
     * {@code measured}, after {@code warmUp} of the same load.
     */
    static double transactionsPerSecond(String jdbcUrl, String user, String password, Duration warmUp, Duration measured)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                AppWorkload.class.getName(), jdbcUrl, user, Long.toString(warmUp.toMillis()), Long.toString(measured.toMillis()));
        builder.environment().put(PASSWORD_VARIABLE, password);
        // To a file, not a pipe: reading a pipe to its end would wait for a hung child past the timeout.
        Path outputFile = Files.createTempFile("syncline-bench-app", ".log");
        builder.redirectErrorStream(true).redirectOutput(outputFile.toFile());
        try {
            Process child = builder.start();
            boolean finished = child.waitFor(warmUp.plus(measured).toSeconds() + 60, TimeUnit.SECONDS);
            if (!finished) {
                child.destroyForcibly();
            }
            String output = Files.readString(outputFile, StandardCharsets.UTF_8);
            if (!finished) {
                throw new IllegalStateException("the application workload did not finish: " + output);
            }
            return parseResult(child.exitValue(), output);
        } finally {
            Files.deleteIfExists(outputFile);
        }
    }

    private static double parseResult(int exitValue, String output) {
        Matcher result = RESULT.matcher(output);
        if (exitValue != 0 || !result.find()) {
            throw new IllegalStateException("the application workload failed (exit " + exitValue + "): " + output);
        }
        return Long.parseLong(result.group(1)) / (Long.parseLong(result.group(2)) / 1000.0);
    }

    /** Arguments: JDBC URL, user, warm-up ms, measured ms; the password in {@value #PASSWORD_VARIABLE}. */
    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        long warmUpMillis = Long.parseLong(args[2]);
        long measuredMillis = Long.parseLong(args[3]);
        String password = System.getenv(PASSWORD_VARIABLE);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong committed = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            Thread client = new Thread(() -> simpleUpdates(url, user, password, running, committed), "bench-client-" + c);
            client.setUncaughtExceptionHandler((thread, e) -> {
                synchronized (failures) {
                    failures.add(e);
                }
            });
            clients.add(client);
        }
        clients.forEach(Thread::start);
        Thread.sleep(warmUpMillis);
        long before = committed.get();
        long started = System.nanoTime();
        Thread.sleep(measuredMillis);
        long count = committed.get() - before;
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        running.set(false);
        for (Thread client : clients) {
            client.join();
        }
        if (!failures.isEmpty()) {
            failures.get(0).printStackTrace();
            System.exit(1);
        }
        System.out.println("committed " + count + " in " + elapsedMillis + " ms");
    }

    private static void simpleUpdates(String url, String user, String password, AtomicBoolean running, AtomicLong committed) {
        try (Connection connection = DriverManager.getConnection(url, user, password);
                PreparedStatement update = connection.prepareStatement("UPDATE bench.accounts SET abalance = abalance + ? WHERE aid = ?");
                PreparedStatement select = connection.prepareStatement("SELECT abalance FROM bench.accounts WHERE aid = ?");
                PreparedStatement insert = connection.prepareStatement("INSERT INTO bench.history (aid, delta) VALUES (?, ?)")) {
            connection.setAutoCommit(false);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (running.get()) {
                int aid = 1 + random.nextInt(ACCOUNTS);
                int delta = random.nextInt(-5000, 5001);
                update.setInt(1, delta);
                update.setInt(2, aid);
                update.executeUpdate();
                select.setInt(1, aid);
                select.executeQuery().close();
                insert.setInt(1, aid);
                insert.setInt(2, delta);
                insert.executeUpdate();
                connection.commit();
                committed.incrementAndGet();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("bench client failed: " + e.getMessage(), e);
        }
    }
}
