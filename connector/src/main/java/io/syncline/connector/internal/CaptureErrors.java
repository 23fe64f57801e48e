package io.syncline.connector.internal;

import io.syncline.connector.CaptureSetupException;
import io.syncline.connector.TransactionTooLargeException;
import java.io.IOException;
import java.sql.SQLException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * The capture's one place that sorts failures into retriable (back off and try again, visibly)
 * and permanent (stop the capture with the message; never skip data), like Debezium's
 * {@code PostgresErrorHandler}.
 */
public final class CaptureErrors {

    private CaptureErrors() {}

    public static boolean isRetriable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException
                    || t instanceof CaptureSetupException
                    || t instanceof TransactionTooLargeException
                    || t instanceof UnconvertibleValueException
                    // another capture of this node took over the outbox: this one must not write
                    || t instanceof ProducerFencedException
                    || t instanceof AuthenticationException
                    || t instanceof AuthorizationException
                    || t instanceof RecordTooLargeException
                    || t instanceof InvalidTopicException
                    || t instanceof UnsupportedVersionException) {
                return false;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return isRetriableSqlState(sql.getSQLState());
            }
            if (t instanceof org.apache.kafka.common.errors.RetriableException
                    || t instanceof org.apache.kafka.connect.errors.RetriableException
                    || t instanceof IOException) {
                return true;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // Abortable producer errors: the publisher starts a new producer and re-sends.
            if (t instanceof org.apache.kafka.common.KafkaException && !(t instanceof org.apache.kafka.connect.errors.ConnectException)) {
                return true;
            }
        }
        return false;
    }

    /**
     * SQLSTATE classes (PostgreSQL docs, Appendix A): 08 connection exception, 53 insufficient
     * resources, 57 operator intervention (shutdown, cancel), 40 transaction rollback, 55006
     * object in use (the slot still held by a previous capture that is going away).
     */
    static boolean isRetriableSqlState(String state) {
        return state.startsWith("08") || state.startsWith("53") || state.startsWith("57") || state.startsWith("40")
                || state.equals("55006");
    }
}
