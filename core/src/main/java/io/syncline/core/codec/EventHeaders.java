package io.syncline.core.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Kafka record headers of a published transaction. Routing reads only these, never the body:
 * the body stays byte for byte what the origin wrote, and forwarding only rewrites the path.
 */
public final class EventHeaders {

    /** The origin node id. */
    public static final String ORIGIN = "syncline-origin";
    /** Comma-separated node ids the transaction passed through, origin first. */
    public static final String PATH = "syncline-path";
    /** The origin commit position, decimal. */
    public static final String POSITION = "syncline-position";
    /** The body's format version, decimal. */
    public static final String FORMAT = "syncline-format";

    private EventHeaders() {}

    public static byte[] encodePath(List<String> path) {
        return String.join(",", path).getBytes(StandardCharsets.UTF_8);
    }

    public static List<String> decodePath(byte[] header) {
        if (header == null || header.length == 0) {
            throw new MalformedEventException("record has no " + PATH + " header");
        }
        return Arrays.asList(new String(header, StandardCharsets.UTF_8).split(","));
    }

    public static byte[] encodeLong(long value) {
        return Long.toString(value).getBytes(StandardCharsets.UTF_8);
    }

    public static long decodeLong(String name, byte[] header) {
        if (header == null) {
            throw new MalformedEventException("record has no " + name + " header");
        }
        try {
            return Long.parseLong(new String(header, StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
            throw new MalformedEventException("header " + name + " is not a number", e);
        }
    }

    public static byte[] encodeString(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    public static String decodeString(String name, byte[] header) {
        if (header == null) {
            throw new MalformedEventException("record has no " + name + " header");
        }
        return new String(header, StandardCharsets.UTF_8);
    }
}
