package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import io.syncline.it.support.DcCluster;
import io.syncline.node.runtime.LinkStatus;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * A column value that must never reach a log line at INFO, WARN or ERROR: written into rows that
 * conflict, a row the destination refuses (parked) and a row of a column the destination lacks
 * (schema mismatch). Both nodes run in this JVM, so every line they log is captured here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RowValuesStayOutOfLogsIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String SECRET = "S3CR3T-cardholder-4111111111111111";

    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            events.add(event);
        }
    };
    private Logger applierLogger;
    private Level applierLevel;
    private DcCluster cluster;

    @BeforeAll
    void start() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        capture.setContext(context);
        capture.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(capture);
        // The applier's DEBUG lines may show values: they must, for the test to show that INFO and above hold them back.
        applierLogger = context.getLogger("io.syncline.apply");
        applierLevel = applierLogger.getLevel();
        applierLogger.setLevel(Level.DEBUG);
        cluster = DcCluster.builder().nodes(2)
                .schema("CREATE SCHEMA it")
                .schema("CREATE TABLE it.items (id int PRIMARY KEY, val text NOT NULL)")
                .replicate("it.items")
                .start();
        cluster.startAllNodes();
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(capture);
        applierLogger.setLevel(applierLevel);
    }

    @Test
    void aColumnValueNeverAppearsAtInfoOrAboveThroughConflictParkingAndSchemaMismatch() throws Exception {
        // A conflict: the same key inserted at both before either saw the other's.
        try (Connection a = cluster.connect("dc-a"); Connection b = cluster.connect("dc-b");
                Statement atA = a.createStatement(); Statement atB = b.createStatement()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            atA.execute("INSERT INTO it.items VALUES (1, 'a " + SECRET + "')");
            atB.execute("INSERT INTO it.items VALUES (1, 'b " + SECRET + "')");
            b.commit();
            a.commit();
        }
        await("the conflict is logged at both").atMost(WAIT).until(() ->
                cluster.queryLong("dc-a", "SELECT count(*) FROM syncline.conflict_log")
                        + cluster.queryLong("dc-b", "SELECT count(*) FROM syncline.conflict_log") >= 1);

        // A parked transaction: dc-b refuses the row; PostgreSQL's detail quotes it ("Failing row contains ...").
        cluster.execute("dc-b", "ALTER TABLE it.items ADD CONSTRAINT val_short CHECK (length(val) < 40)");
        cluster.execute("dc-a", "INSERT INTO it.items VALUES (2, 'too long for dc-b " + SECRET + "')");
        await("dc-b parks it").atMost(WAIT).until(() -> cluster.queryLong("dc-b", "SELECT count(*) FROM syncline.dead_letter") == 1);
        assertThat(cluster.queryString("dc-b", "SELECT error FROM syncline.dead_letter")).as("the detail is kept in the database")
                .contains(SECRET);

        // A schema mismatch: a column dc-b lacks, holding the value.
        cluster.execute("dc-a", "ALTER TABLE it.items ADD COLUMN note text",
                "INSERT INTO it.items (id, val, note) VALUES (3, 'x', '" + SECRET + "')");
        await("the link from dc-a pauses at dc-b").atMost(WAIT).until(() ->
                linkFrom("dc-b", "dc-a").state() == LinkStatus.State.SCHEMA_MISMATCH);
        cluster.execute("dc-b", "ALTER TABLE it.items ADD COLUMN note text");
        await("and applies once dc-b has the column").atMost(WAIT).until(() ->
                cluster.queryLong("dc-b", "SELECT count(*) FROM it.items WHERE id = 3") == 1);
        cluster.awaitQuiet(WAIT);

        List<String> leaked = events.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .filter(e -> text(e).contains(SECRET))
                .map(e -> e.getLevel() + " " + e.getLoggerName() + " - " + text(e)).toList();
        assertThat(leaked).as("INFO, WARN and ERROR lines with the value").isEmpty();
        assertThat(events).as("WARN lines of the park and the mismatch").anyMatch(e -> e.getLevel() == Level.WARN
                && e.getFormattedMessage().contains("parked transaction")).anyMatch(e -> e.getLevel() == Level.WARN
                && e.getFormattedMessage().contains("SCHEMA_MISMATCH"));
        assertThat(events).as("DEBUG lines, asked for, may show it").anyMatch(e -> e.getLevel() == Level.DEBUG
                && text(e).contains(SECRET));
    }

    private LinkStatus linkFrom(String node, String upstream) {
        return cluster.node(node).links().stream().filter(l -> l.upstream().equals(upstream)).findFirst().orElseThrow();
    }

    /** The message and every message of its exception and causes, as an encoder would print them. */
    private static String text(ILoggingEvent event) {
        StringBuilder text = new StringBuilder(event.getFormattedMessage());
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            text.append('\n').append(t.getClassName()).append(": ").append(t.getMessage());
        }
        return text.toString();
    }
}
