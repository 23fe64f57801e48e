package io.syncline.connector;

import io.syncline.core.codec.EventHeaders;
import io.syncline.core.codec.MalformedEventException;
import io.syncline.core.codec.TransactionCodec;
import io.syncline.core.event.ControlRecord;
import io.syncline.core.event.QuarantineReason;
import io.syncline.core.event.RejectedRecord;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.TransactionChunk;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Checks a record read from an upstream outbox before anything routes or applies it: it decodes,
 * its headers agree with its body, its origin and every node of its path are in the topology,
 * its path ends with the upstream whose outbox it came from and repeats no node, every change
 * names a replicated table, and its position is a plausible WAL position. What fails is returned
 * as a {@link RejectedRecord} for the quarantine, never thrown. Whether the position moves
 * forward within its origin's chain needs the applied positions and is checked by the caller.
 * Immutable and thread-safe.
 */
public final class RecordValidator {

    /**
     * Above any WAL position a real database reaches: 2^52 bytes (4 PiB) of WAL take more than a
     * century at 1 GB/s. A position beyond it, such as 2^63-1, is forged or corrupt.
     */
    public static final long MAX_PLAUSIBLE_POSITION = 1L << 52;

    private final String upstream;
    private final Set<String> nodes;
    private final Predicate<String> tables;

    /**
     * @param upstream the node whose outbox is read
     * @param nodes    every node id of the topology
     * @param tables   the schema-qualified tables that may arrive: the replicated ones and Syncline's own published ones
     */
    public RecordValidator(String upstream, Set<String> nodes, Set<String> tables) {
        this(upstream, nodes, Set.copyOf(tables)::contains);
    }

    /**
     * @param upstream   the node whose outbox is read
     * @param nodes      every node id of the topology
     * @param receivable whether a change of a schema-qualified table may arrive (thread-safe): the replicated
     *                   tables and Syncline's own published ones, and tables a peer's schema change may still
     *                   add here, which the applier holds back until it has
     */
    public RecordValidator(String upstream, Set<String> nodes, Predicate<String> receivable) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.nodes = Set.copyOf(nodes);
        this.tables = Objects.requireNonNull(receivable, "receivable");
    }

    /** Either the decoded transaction or why the record was refused; exactly one is not null. */
    public record Outcome(ReceivedTransaction accepted, RejectedRecord rejected) {}

    /** Checks one record of the outbox {@code topic}. */
    public Outcome check(String topic, long offset, Headers headers, byte[] body) {
        Map<String, String> text = text(headers);
        String headerOrigin = text.get(EventHeaders.ORIGIN);
        SourceTransaction tx;
        try {
            List<String> path = EventHeaders.decodePath(value(headers, EventHeaders.PATH));
            if (body == null) {
                throw new MalformedEventException("record has no value");
            }
            String bodyOrigin = TransactionCodec.origin(body);
            if (!bodyOrigin.equals(path.get(0))) {
                return reject(topic, offset, bodyOrigin, QuarantineReason.HEADER_MISMATCH, "header " + EventHeaders.PATH
                        + " starts with " + path.get(0) + ", the body's origin is " + bodyOrigin, text, body);
            }
            if (TransactionCodec.isChunk(body)) {
                return checkChunk(topic, offset, text, TransactionCodec.decodeChunk(body, path), body);
            }
            tx = TransactionCodec.decode(body, path);
        } catch (MalformedEventException e) {
            return reject(topic, offset, headerOrigin, QuarantineReason.UNDECODABLE, e.getMessage(), text, body);
        } catch (RuntimeException e) {
            // Bytes from outside: whatever the decoder trips over, the record is refused, never the link stopped.
            return reject(topic, offset, headerOrigin, QuarantineReason.UNDECODABLE, "invalid transaction body: " + e, text,
                    body);
        }
        String origin = tx.originNode();
        String mismatch = headerMismatch(origin, Long.toString(tx.originPosition()), text, body);
        if (mismatch != null) {
            return reject(topic, offset, origin, QuarantineReason.HEADER_MISMATCH, mismatch, text, body);
        }
        if (tx.originPosition() < 0) {
            return reject(topic, offset, origin, QuarantineReason.IMPLAUSIBLE_POSITION, "position " + tx.originPosition()
                    + " is below any WAL position", text, body);
        }
        Outcome refused = contentRefusal(topic, offset, origin, tx.path(), tx.changes(), tx.originPosition(), text, body);
        return refused != null ? refused : new Outcome(new ReceivedTransaction(tx, body, offset), null);
    }

    /**
     * A chunk of a large transaction, checked as a whole transaction is; only the last chunk carries
     * a position, in its body and its header. An accepted chunk keeps only its identity: its changes
     * are decoded again when the link applies it, so that a poll never holds a large transaction.
     */
    private Outcome checkChunk(String topic, long offset, Map<String, String> text, TransactionChunk chunk, byte[] body) {
        String origin = chunk.originNode();
        String mismatch = headerMismatch(origin, chunk.last() ? Long.toString(chunk.originPosition()) : null, text, body);
        if (mismatch != null) {
            return reject(topic, offset, origin, QuarantineReason.HEADER_MISMATCH, mismatch, text, body);
        }
        // A chunk before the last has no position yet (-1), which the bound lets through.
        Outcome refused = contentRefusal(topic, offset, origin, chunk.path(), chunk.changes(), chunk.originPosition(), text,
                body);
        if (refused != null) {
            return refused;
        }
        TransactionChunk identity = new TransactionChunk(origin, chunk.originTxId(), chunk.commitTimeMicros(), chunk.chain(),
                chunk.index(), chunk.last(), chunk.originPosition(), chunk.path(), List.of());
        return new Outcome(new ReceivedTransaction(null, identity, body, offset), null);
    }

    /**
     * What a whole transaction and a chunk are both checked for: a known origin, a path that fits
     * this link, replicated tables, control records that carry what they need, and a position below {@link #MAX_PLAUSIBLE_POSITION}; the refusal,
     * or null when the record passes.
     */
    private Outcome contentRefusal(String topic, long offset, String origin, List<String> path, List<RowChange> changes,
            long position, Map<String, String> text, byte[] body) {
        if (!nodes.contains(origin)) {
            return reject(topic, offset, origin, QuarantineReason.UNKNOWN_ORIGIN,
                    "origin " + origin + " is not a node of the topology " + new java.util.TreeSet<>(nodes), text, body);
        }
        String wrongPath = wrongPath(path);
        if (wrongPath != null) {
            return reject(topic, offset, origin, QuarantineReason.WRONG_PATH, wrongPath, text, body);
        }
        for (RowChange change : changes) {
            if (!tables.test(change.table())) {
                return reject(topic, offset, origin, QuarantineReason.UNKNOWN_TABLE,
                        "table " + change.table() + " is not replicated here", text, body);
            }
            try {
                ControlRecord.of(change);
            } catch (IllegalArgumentException malformed) {
                return reject(topic, offset, origin, QuarantineReason.UNDECODABLE, malformed.getMessage(), text, body);
            }
        }
        if (position > MAX_PLAUSIBLE_POSITION) {
            return reject(topic, offset, origin, QuarantineReason.IMPLAUSIBLE_POSITION, "position " + position
                    + " is beyond any WAL position (at most " + MAX_PLAUSIBLE_POSITION + ")", text, body);
        }
        return null;
    }

    /**
     * Where the record's headers disagree with its body, or null.
     *
     * @param position the body's position as the header spells it, or null for a chunk before the last, which has none
     */
    private static String headerMismatch(String origin, String position, Map<String, String> headers, byte[] body) {
        if (!origin.equals(headers.get(EventHeaders.ORIGIN))) {
            return "header " + EventHeaders.ORIGIN + " says " + headers.get(EventHeaders.ORIGIN) + ", the body " + origin;
        }
        if (!java.util.Objects.equals(position, headers.get(EventHeaders.POSITION))) {
            return "header " + EventHeaders.POSITION + " says " + headers.get(EventHeaders.POSITION) + ", the body "
                    + (position == null ? "has no position (a chunk before the last)" : position);
        }
        String format = headers.get(EventHeaders.FORMAT);
        // The body's second byte is its format version (TransactionCodec).
        if (!Integer.toString(body[1]).equals(format)) {
            return "header " + EventHeaders.FORMAT + " says " + format + ", the body " + body[1];
        }
        return null;
    }

    private String wrongPath(List<String> path) {
        Set<String> seen = new HashSet<>();
        for (String node : path) {
            if (!nodes.contains(node)) {
                return "path " + path + " names " + node + ", not a node of the topology";
            }
            if (!seen.add(node)) {
                return "path " + path + " passes through " + node + " twice";
            }
        }
        if (!path.get(path.size() - 1).equals(upstream)) {
            return "path " + path + " does not end with " + upstream + ", whose outbox it was read from";
        }
        return null;
    }

    private static Outcome reject(String topic, long offset, String origin, QuarantineReason reason, String detail,
            Map<String, String> headers, byte[] body) {
        return new Outcome(null, new RejectedRecord(topic, offset, origin, reason, detail, headers, body));
    }

    private static byte[] value(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : header.value();
    }

    /** The last value of each header as text; a header without a value as the empty string. */
    private static Map<String, String> text(Headers headers) {
        Map<String, String> text = new LinkedHashMap<>();
        for (Header header : headers) {
            text.put(header.key(), header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8));
        }
        return text;
    }
}
