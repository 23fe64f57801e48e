package io.syncline.node.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The node's logging configuration ({@code logback.xml}): text lines by default, one JSON object
 * per event and line with {@code SYNCLINE_LOG_FORMAT=json} (Logback reads the variable from the
 * environment, or from a system property as here).
 */
class LogFormatTest {

    private final PrintStream originalErr = System.err;

    @AfterEach
    void restore() throws Exception {
        System.setErr(originalErr);
        System.clearProperty("SYNCLINE_LOG_FORMAT");
        configure();
    }

    @Test
    void jsonFormatWritesOneObjectPerEventWithTheFormattedMessage() throws Exception {
        List<String> lines = logWith("json");

        assertThat(lines).hasSize(1);
        JsonNode event = new ObjectMapper().readTree(lines.get(0));
        assertThat(event.path("level").asText()).isEqualTo("WARN");
        assertThat(event.path("loggerName").asText()).isEqualTo(LogFormatTest.class.getName());
        assertThat(event.path("formattedMessage").asText()).isEqualTo("[dc-a <- dc-b] link stopped: disk full");
        assertThat(event.path("timestamp").asLong()).isPositive();
    }

    @Test
    void textIsTheDefaultFormat() throws Exception {
        List<String> lines = logWith(null);

        assertThat(lines).singleElement().satisfies(line -> assertThat(line)
                .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  LogFormatTest - \\[dc-a <- dc-b] link stopped: disk full"));
    }

    private static List<String> logWith(String format) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        if (format != null) {
            System.setProperty("SYNCLINE_LOG_FORMAT", format);
        }
        configure();
        LoggerFactory.getLogger(LogFormatTest.class).warn("[{} <- {}] link stopped: {}", "dc-a", "dc-b", "disk full");
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** Configures Logback anew from the node's logback.xml, as at start. */
    private static void configure() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
    }
}
