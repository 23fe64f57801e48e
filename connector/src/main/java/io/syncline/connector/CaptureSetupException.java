package io.syncline.connector;

/** The database or Kafka is not ready for the capture; the message says what to do. Permanent until fixed. */
public final class CaptureSetupException extends RuntimeException {

    public CaptureSetupException(String message) {
        super(message);
    }

    public CaptureSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
