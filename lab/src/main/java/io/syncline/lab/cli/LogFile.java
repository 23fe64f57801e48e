package io.syncline.lab.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the process's logs to a file instead of the console, for commands that show a live
 * view on the terminal ({@code demo}). The console appenders of the root logger are detached;
 * everything else of the logging configuration (levels) stays.
 */
final class LogFile {

    private LogFile() {}

    /**
     * Creates a new log file in the temporary directory and sends every log event there from now on.
     *
     * @param prefix the file name's start, e.g. {@code syncline-demo-}
     * @return the file
     * @throws IllegalStateException if the logging backend is not Logback (the logs then stay where they are)
     */
    static Path redirect(String prefix) throws IOException {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            throw new IllegalStateException("the logs cannot be sent to a file: the logging backend is "
                    + factory.getClass().getName() + ", not Logback");
        }
        Path file = Files.createTempFile(prefix, ".log");
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("FILE");
        appender.setFile(file.toString());
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        List<Appender<ILoggingEvent>> consoles = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> existing = it.next();
            if (existing instanceof ch.qos.logback.core.ConsoleAppender) {
                consoles.add(existing);
            }
        }
        root.addAppender(appender);
        consoles.forEach(root::detachAppender);
        return file;
    }
}
