package io.syncline.lab.bench;

import java.io.IOException;
import java.math.BigDecimal;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The application of the {@code hot_rows} phase (issue 19): every transaction inserts a row of
 * its own and updates {@value #UPDATES_PER_TRANSACTION} of {@value #SHARED_ROWS} rows that every
 * datacenter's application updates too (numeric, array and jsonb columns), from
 * {@value #CLIENTS} clients, in a process of its own ({@link AppWorkload} says why). Reports
 * committed transactions per second and the latency percentiles of the measured part.
 */
final class HotRowsWorkload {

    static final int SHARED_ROWS = 80;
    static final int UPDATES_PER_TRANSACTION = 3;
    static final List<String> TABLES = List.of("hot.shared", "hot.event");
    static final String CREATE_TABLES = """
            CREATE SCHEMA IF NOT EXISTS hot;
            CREATE TABLE hot.shared (id int PRIMARY KEY, total numeric(20,2) NOT NULL, recent int[] NOT NULL, doc jsonb NOT NULL);
            CREATE TABLE hot.event (id bigint PRIMARY KEY, shared int NOT NULL, amount numeric(12,2) NOT NULL,
                                    at timestamptz NOT NULL DEFAULT now());
            INSERT INTO hot.shared SELECT g, 0, '{}', '{"updates": 0}' FROM generate_series(1, %d) g;
            """.formatted(SHARED_ROWS);
    static final String VACUUM_TABLES = "VACUUM ANALYZE hot.shared, hot.event";

    /** One run at one datacenter: committed transactions per second, and latency percentiles in milliseconds. */
    record Figures(double tps, double p50Millis, double p99Millis) {}

    private static final int CLIENTS = 2;
    /** Event ids of one client of one datacenter start at (datacenter * 16 + client) << 40: never shared. */
    private static final int ID_SHIFT = 40;
    /** {@code id >> DATACENTER_SHIFT} is the index of the datacenter that wrote an event. */
    static final int DATACENTER_SHIFT = ID_SHIFT + 4;
    private static final String PASSWORD_VARIABLE = "SYNCLINE_BENCH_PASSWORD";
    private static final Pattern RESULT = Pattern.compile("^committed (\\d+) in (\\d+) ms, p50 (\\d+) us, p99 (\\d+) us$",
            Pattern.MULTILINE);

    private HotRowsWorkload() {}

    /** A running child process; {@link #await()} returns its figures. */
    static final class Run {
        private final Process child;
        private final Path output;
        private final Duration timeout;

        private Run(Process child, Path output, Duration timeout) {
            this.child = child;
            this.output = output;
            this.timeout = timeout;
        }

        Figures await() throws IOException, InterruptedException {
            try {
                boolean finished = child.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
                if (!finished) {
                    child.destroyForcibly();
                }
                String text = Files.readString(output, StandardCharsets.UTF_8);
                Matcher result = RESULT.matcher(text);
                if (!finished || child.exitValue() != 0 || !result.find()) {
                    throw new IllegalStateException("the hot-rows workload failed: " + text);
                }
                return new Figures(Long.parseLong(result.group(1)) / (Long.parseLong(result.group(2)) / 1000.0),
                        Long.parseLong(result.group(3)) / 1000.0, Long.parseLong(result.group(4)) / 1000.0);
            } finally {
                Files.deleteIfExists(output);
            }
        }
    }

    /** Starts the workload against one datacenter's database in a child JVM: {@code warmUp}, then {@code measured}. */
    static Run start(String jdbcUrl, String user, String password, int datacenter, Duration warmUp, Duration measured)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                HotRowsWorkload.class.getName(), jdbcUrl, user, Integer.toString(datacenter), Long.toString(warmUp.toMillis()),
                Long.toString(measured.toMillis()));
        builder.environment().put(PASSWORD_VARIABLE, password);
        // To a file, not a pipe: reading a pipe to its end would wait for a hung child past the timeout.
        Path output = Files.createTempFile("syncline-bench-hot", ".log");
        builder.redirectErrorStream(true).redirectOutput(output.toFile());
        return new Run(builder.start(), output, warmUp.plus(measured).plusSeconds(60));
    }

    /** Arguments: JDBC URL, user, datacenter index, warm-up ms, measured ms; the password in {@value #PASSWORD_VARIABLE}. */
    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        int datacenter = Integer.parseInt(args[2]);
        long warmUpMillis = Long.parseLong(args[3]);
        long measuredMillis = Long.parseLong(args[4]);
        String password = System.getenv(PASSWORD_VARIABLE);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicBoolean measuring = new AtomicBoolean();
        List<Client> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            clients.add(new Client(url, user, password, ((long) datacenter * 16 + c) << ID_SHIFT, running, measuring));
        }
        clients.forEach(Thread::start);
        Thread.sleep(warmUpMillis);
        measuring.set(true);
        long started = System.nanoTime();
        Thread.sleep(measuredMillis);
        measuring.set(false);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        running.set(false);
        List<Long> latencies = new ArrayList<>();
        for (Client client : clients) {
            client.join();
            if (client.failure != null) {
                client.failure.printStackTrace();
                System.exit(1);
            }
            latencies.addAll(client.latenciesMicros);
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.println("committed " + sorted.length + " in " + elapsedMillis + " ms, p50 " + percentile(sorted, 50) + " us, p99 "
                + percentile(sorted, 99) + " us");
    }

    static long percentile(long[] sorted, double percentile) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(percentile / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** One application connection: its transactions, and the latency of each committed while measuring. */
    private static final class Client extends Thread {
        private final String url;
        private final String user;
        private final String password;
        private final AtomicBoolean running;
        private final AtomicBoolean measuring;
        private final List<Long> latenciesMicros = new ArrayList<>();
        private long nextId;
        private Throwable failure;

        Client(String url, String user, String password, long firstId, AtomicBoolean running, AtomicBoolean measuring) {
            super("bench-hot-client");
            this.url = url;
            this.user = user;
            this.password = password;
            this.nextId = firstId;
            this.running = running;
            this.measuring = measuring;
        }

        @Override
        public void run() {
            try (Connection connection = DriverManager.getConnection(url, user, password);
                    PreparedStatement insert = connection.prepareStatement(
                            "INSERT INTO hot.event (id, shared, amount) VALUES (?, ?, ?)");
                    PreparedStatement update = connection.prepareStatement("UPDATE hot.shared SET total = total + ?,"
                            + " recent = (recent || ?::int)[greatest(1, cardinality(recent) - 6):],"
                            + " doc = jsonb_set(doc, '{updates}', to_jsonb((doc->>'updates')::bigint + 1)) WHERE id = ?")) {
                connection.setAutoCommit(false);
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (running.get()) {
                    if (!transaction(connection, insert, update, random)) {
                        connection.rollback();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                failure = e;
            }
        }

        /**
         * One transaction; false if PostgreSQL aborted it to break a deadlock or a serialization
         * conflict (with an applier): an application retries those, and so does this one.
         */
        private boolean transaction(Connection connection, PreparedStatement insert, PreparedStatement update,
                ThreadLocalRandom random) throws SQLException {
            try {
                int[] shared = random.ints(1, SHARED_ROWS + 1).distinct().limit(UPDATES_PER_TRANSACTION).sorted().toArray();
                long started = System.nanoTime();
                insert.setLong(1, nextId++);
                insert.setInt(2, shared[0]);
                insert.setBigDecimal(3, BigDecimal.valueOf(random.nextInt(1, 100_000), 2));
                insert.executeUpdate();
                // In key order, like any application that avoids deadlocks among its own clients.
                for (int id : shared) {
                    update.setBigDecimal(1, BigDecimal.valueOf(random.nextInt(-5_000, 5_001), 2));
                    update.setInt(2, random.nextInt(1_000));
                    update.setInt(3, id);
                    update.executeUpdate();
                }
                connection.commit();
                if (measuring.get()) {
                    latenciesMicros.add((System.nanoTime() - started) / 1_000);
                }
                return true;
            } catch (SQLException e) {
                if ("40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState())) {
                    return false;
                }
                throw e;
            }
        }
    }

    static String describe(Figures figures) {
        return String.format("%.0f tx/s, p50 %.1f ms, p99 %.1f ms", figures.tps(), figures.p50Millis(), figures.p99Millis());
    }
}
