package io.syncline.schema;

/** A replicated table that Syncline cannot handle as it is, with what to change. */
public class SchemaException extends RuntimeException {

    public SchemaException(String message) {
        super(message);
    }
}
