package io.syncline.connector.internal;

import io.syncline.connector.CaptureSetupException;
import io.syncline.connector.KafkaErrors;
import io.syncline.connector.TransactionTooLargeException;
import io.syncline.core.error.FailureKind;
import io.syncline.core.error.SqlStates;
import java.io.IOException;
import java.sql.SQLException;

/**
 * The capture's one place that sorts failures into retriable (back off and try again, visibly)
 * and permanent (stop the capture with the message; never skip data), like Debezium's
 * {@code PostgresErrorHandler}: the capture's own permanent failures, then the SQLSTATEs and
 * Kafka failures as every component sorts them ({@link SqlStates}, {@link KafkaErrors}).
 */
public final class CaptureErrors {

    private CaptureErrors() {}

    public static boolean isRetriable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException
                    || t instanceof CaptureSetupException
                    || t instanceof TransactionTooLargeException
                    || t instanceof UnconvertibleValueException
                    // among them: another capture of this node took over the outbox, so this one must not write
                    || KafkaErrors.isPermanent(t)) {
                return false;
            }
            if (t instanceof SQLException sql && SqlStates.kindOf(sql.getSQLState()).isPresent()) {
                return SqlStates.kindOf(sql.getSQLState()).get() == FailureKind.RETRIABLE;
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
}
