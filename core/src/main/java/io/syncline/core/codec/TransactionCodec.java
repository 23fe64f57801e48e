package io.syncline.core.codec;

import io.syncline.core.event.ChainLink;
import io.syncline.core.event.ColumnDot;
import io.syncline.core.event.Operation;
import io.syncline.core.event.OriginIdentity;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowMetadata;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.TransactionChunk;
import io.syncline.core.event.VersionVector;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The binary body of a published transaction, format version {@value #FORMAT_VERSION}.
 *
 * <p>Layout: a magic byte, the format version, then the transaction's fields with unsigned
 * LEB128 varints for numbers and lengths. Format 2 added the chain link after the transaction
 * id (a flag, then the origin's system identifier, its capture epoch and the previous position
 * + 1), in the body so that forwarding keeps it byte for byte; format 1 bodies, without it, are
 * still read (their transactions have no {@link SourceTransaction#chain()}). Table and column names go through a per-body symbol
 * table (a name is written once, later as its index) because a batch repeats them on every
 * row. Each change ends with its merge metadata ({@link RowMetadata}: delta counters, column
 * dots; two zero counts when there is none), then, since format 2, the origin's type of each column
 * sent ({@link RowChange#columnTypes()}, names and types through the symbol table). Bodies of format 1
 * (written by older nodes, and kept in {@code syncline.dead_letter}) are still read, without types.
 * The path is not in the body: it travels in {@link EventHeaders#PATH} so that forwarding
 * never re-encodes the body.
 *
 * <p>A source transaction too large for one record is published as chunks
 * ({@link TransactionChunk}), each a body of format {@value #CHUNK_FORMAT_VERSION}: after the magic
 * byte and the version, the origin, the transaction id, the commit time, the chain link (always
 * present), the chunk index, a last-chunk flag, the commit position + 1 (0 in every chunk but the
 * last), then the chunk's changes as in format 2, with a symbol table of its own. A node that reads
 * only formats 1 and 2 refuses such a body as an unsupported version, naming it. Whole transactions
 * keep format 2. Stateless and thread-safe.
 *
 * <p>Longer than most classes on purpose: the writer and the reader of every field sit side by
 * side, so that a change of the format changes both in one place and in step.
 */
public final class TransactionCodec {

    public static final int FORMAT_VERSION = 2;
    /** The format of a chunk of a large transaction ({@link #encodeChunk}). */
    public static final int CHUNK_FORMAT_VERSION = 3;
    /** The oldest format this node still reads: format 1, without chain link and column types; never written. */
    public static final int OLDEST_READABLE_VERSION = 1;
    private static final byte MAGIC = 'S';

    private TransactionCodec() {}

    public static byte[] encodeBody(SourceTransaction tx) {
        Writer out = new Writer();
        out.raw(MAGIC);
        out.raw((byte) FORMAT_VERSION);
        out.string(tx.originNode());
        out.varLong(tx.originPosition());
        out.varLong(tx.commitTimeMicros());
        out.varLong(tx.originTxId());
        ChainLink chain = tx.chain();
        out.varLong(chain == null ? 0 : 1);
        if (chain != null) {
            out.varLong(chain.identity().systemIdentifier());
            out.varLong(chain.identity().epoch());
            out.varLong(chain.previousPosition() + 1);
        }
        out.varLong(tx.changes().size());
        for (RowChange change : tx.changes()) {
            writeChange(out, change);
        }
        return out.toByteArray();
    }

    /** Decodes a body written by {@link #encodeBody}, with the path taken from the record's header. */
    public static SourceTransaction decode(byte[] body, List<String> path) {
        Reader in = new Reader(body);
        try {
            if (in.raw() != MAGIC) {
                throw new MalformedEventException("not a Syncline transaction body (bad magic byte)");
            }
            int version = in.raw();
            if (version < OLDEST_READABLE_VERSION || version > FORMAT_VERSION) {
                throw new MalformedEventException("unsupported body format version " + version
                        + "; this node reads versions " + OLDEST_READABLE_VERSION + " to " + FORMAT_VERSION + ": upgrade the node");
            }
            String origin = in.string();
            long position = in.varLong();
            long commitTime = in.varLong();
            long txId = in.varLong();
            ChainLink chain = null;
            if (version >= FORMAT_VERSION && in.varLong() != 0) {
                OriginIdentity identity = new OriginIdentity(in.varLong(), in.varLong());
                chain = new ChainLink(identity, in.varLong() - 1);
            }
            int count = in.count();
            List<RowChange> changes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                changes.add(readChange(in, version));
            }
            if (!in.atEnd()) {
                throw new MalformedEventException("trailing bytes after the last change");
            }
            return new SourceTransaction(origin, position, commitTime, txId, path, changes, chain);
        } catch (IndexOutOfBoundsException e) {
            throw new MalformedEventException("truncated transaction body", e);
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException("invalid transaction body: " + e.getMessage(), e);
        }
    }

    /**
     * The origin node a body names, read without decoding the rest, so that a reader can compare it
     * with the record's headers before trusting either.
     *
     * @throws MalformedEventException if the body does not start like a Syncline transaction body
     */
    public static String origin(byte[] body) {
        Reader in = new Reader(body);
        try {
            if (in.raw() != MAGIC) {
                throw new MalformedEventException("not a Syncline transaction body (bad magic byte)");
            }
            in.raw();
            return in.string();
        } catch (IndexOutOfBoundsException e) {
            throw new MalformedEventException("truncated transaction body", e);
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException("invalid transaction body: " + e.getMessage(), e);
        }
    }

    /** The body of one chunk of a large transaction; its path travels in the header, as a whole transaction's does. */
    public static byte[] encodeChunk(TransactionChunk chunk) {
        Writer out = new Writer();
        out.raw(MAGIC);
        out.raw((byte) CHUNK_FORMAT_VERSION);
        out.string(chunk.originNode());
        out.varLong(chunk.originTxId());
        out.varLong(chunk.commitTimeMicros());
        out.varLong(chunk.chain().identity().systemIdentifier());
        out.varLong(chunk.chain().identity().epoch());
        out.varLong(chunk.chain().previousPosition() + 1);
        out.varLong(chunk.index());
        out.varLong(chunk.last() ? 1 : 0);
        out.varLong(chunk.originPosition() + 1);
        out.varLong(chunk.changes().size());
        for (RowChange change : chunk.changes()) {
            writeChange(out, change);
        }
        return out.toByteArray();
    }

    /** Whether {@code body} is a chunk of a large transaction (format {@value #CHUNK_FORMAT_VERSION}), by its first two bytes. */
    public static boolean isChunk(byte[] body) {
        return body != null && body.length >= 2 && body[0] == MAGIC && body[1] == CHUNK_FORMAT_VERSION;
    }

    /** Decodes a chunk written by {@link #encodeChunk}, with the path taken from the record's header. */
    public static TransactionChunk decodeChunk(byte[] body, List<String> path) {
        return readChunk(body, path, true);
    }

    /**
     * Decodes what identifies a chunk (origin, transaction id, chain link, index, last flag and
     * position) and leaves its changes out: the returned chunk has none. Cheap, for readers that
     * only need to find where a large transaction ends.
     */
    public static TransactionChunk decodeChunkHeader(byte[] body, List<String> path) {
        return readChunk(body, path, false);
    }

    private static TransactionChunk readChunk(byte[] body, List<String> path, boolean withChanges) {
        Reader in = new Reader(body);
        try {
            if (in.raw() != MAGIC || in.raw() != CHUNK_FORMAT_VERSION) {
                throw new MalformedEventException("not a chunk of a Syncline transaction (bad magic byte or version)");
            }
            String origin = in.string();
            long txId = in.varLong();
            long commitTime = in.varLong();
            ChainLink chain = new ChainLink(new OriginIdentity(in.varLong(), in.varLong()), in.varLong() - 1);
            long index = in.varLong();
            if (index > Integer.MAX_VALUE) {
                throw new MalformedEventException("impossible chunk index " + index);
            }
            boolean last = in.varLong() != 0;
            long position = in.varLong() - 1;
            if (!withChanges) {
                return new TransactionChunk(origin, txId, commitTime, chain, (int) index, last, position, path, List.of());
            }
            int count = in.count();
            List<RowChange> changes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                changes.add(readChange(in, CHUNK_FORMAT_VERSION));
            }
            if (!in.atEnd()) {
                throw new MalformedEventException("trailing bytes after the last change of the chunk");
            }
            if (changes.isEmpty()) {
                throw new MalformedEventException("a chunk without changes");
            }
            return new TransactionChunk(origin, txId, commitTime, chain, (int) index, last, position, path, changes);
        } catch (IndexOutOfBoundsException e) {
            throw new MalformedEventException("truncated chunk body", e);
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException("invalid chunk body: " + e.getMessage(), e);
        }
    }

    private static void writeChange(Writer out, RowChange change) {
        out.symbol(change.table());
        out.raw((byte) change.operation().ordinal());
        writeColumns(out, change.key());
        out.varLong(change.oldKey() == null ? 0 : 1);
        if (change.oldKey() != null) {
            writeColumns(out, change.oldKey());
        }
        writeColumns(out, change.values());
        out.varLong(change.unchangedColumns().size());
        for (String column : change.unchangedColumns()) {
            out.symbol(column);
        }
        out.varLong(change.version().clock().hlc());
        out.symbol(change.version().clock().nodeId());
        Map<String, Long> counters = change.version().vector().counters();
        out.varLong(counters.size());
        counters.forEach((node, counter) -> {
            out.symbol(node);
            out.varLong(counter);
        });
        writeMetadata(out, change.metadata());
        out.varLong(change.columnTypes().size());
        change.columnTypes().forEach((column, type) -> {
            out.symbol(column);
            out.symbol(type);
        });
    }

    private static void writeMetadata(Writer out, RowMetadata metadata) {
        out.varLong(metadata.counters().size());
        metadata.counters().forEach((column, shares) -> {
            out.symbol(column);
            out.varLong(shares.size());
            shares.forEach((node, amount) -> {
                out.symbol(node);
                // BigDecimal's canonical string keeps the scale, so the value round-trips exactly.
                out.string(amount.toString());
            });
        });
        out.varLong(metadata.columnDots().size());
        metadata.columnDots().forEach((column, dot) -> {
            out.symbol(column);
            out.symbol(dot.node());
            out.varLong(dot.counter());
            out.varLong(dot.hlc());
        });
    }

    private static RowMetadata readMetadata(Reader in) {
        int columns = in.count();
        Map<String, Map<String, BigDecimal>> counters = new TreeMap<>();
        for (int i = 0; i < columns; i++) {
            String column = in.symbol();
            int nodes = in.count();
            Map<String, BigDecimal> shares = new TreeMap<>();
            for (int j = 0; j < nodes; j++) {
                String node = in.symbol();
                try {
                    shares.put(node, new BigDecimal(in.string()));
                } catch (NumberFormatException e) {
                    throw new MalformedEventException("counter of " + column + " for " + node + " is not a number", e);
                }
            }
            counters.put(column, shares);
        }
        int dotCount = in.count();
        Map<String, ColumnDot> dots = new TreeMap<>();
        for (int i = 0; i < dotCount; i++) {
            String column = in.symbol();
            dots.put(column, new ColumnDot(in.symbol(), in.varLong(), in.varLong()));
        }
        return counters.isEmpty() && dots.isEmpty() ? RowMetadata.EMPTY : new RowMetadata(counters, dots);
    }

    private static RowChange readChange(Reader in, int formatVersion) {
        String table = in.symbol();
        int op = in.raw();
        if (op < 0 || op >= Operation.values().length) {
            throw new MalformedEventException("unknown operation code " + op);
        }
        Map<String, String> key = readColumns(in);
        Map<String, String> oldKey = in.varLong() == 0 ? null : readColumns(in);
        Map<String, String> values = readColumns(in);
        int unchangedCount = in.count();
        Set<String> unchanged = new HashSet<>();
        for (int i = 0; i < unchangedCount; i++) {
            unchanged.add(in.symbol());
        }
        long hlc = in.varLong();
        String node = in.symbol();
        int vectorSize = in.count();
        Map<String, Long> counters = new TreeMap<>();
        for (int i = 0; i < vectorSize; i++) {
            counters.put(in.symbol(), in.varLong());
        }
        RowVersion version = new RowVersion(new RowClock(hlc, node), VersionVector.of(counters));
        RowMetadata metadata = readMetadata(in);
        Map<String, String> types = Map.of();
        if (formatVersion >= 2) {
            int typeCount = in.count();
            types = new LinkedHashMap<>(typeCount * 2);
            for (int i = 0; i < typeCount; i++) {
                types.put(in.symbol(), in.symbol());
            }
        }
        return new RowChange(table, Operation.values()[op], key, oldKey, values, unchanged, version, metadata, types);
    }

    private static void writeColumns(Writer out, Map<String, String> columns) {
        out.varLong(columns.size());
        columns.forEach((name, value) -> {
            out.symbol(name);
            out.nullableString(value);
        });
    }

    private static Map<String, String> readColumns(Reader in) {
        int count = in.count();
        Map<String, String> columns = new LinkedHashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            columns.put(in.symbol(), in.nullableString());
        }
        return columns;
    }

    private static final class Writer {
        private final Map<String, Integer> symbols = new HashMap<>();
        private byte[] buffer = new byte[256];
        private int size;

        void raw(byte b) {
            ensure(1);
            buffer[size++] = b;
        }

        void varLong(long value) {
            ensure(10);
            while ((value & ~0x7FL) != 0) {
                buffer[size++] = (byte) ((value & 0x7F) | 0x80);
                value >>>= 7;
            }
            buffer[size++] = (byte) value;
        }

        void string(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            varLong(bytes.length);
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buffer, size, bytes.length);
            size += bytes.length;
        }

        /** Length + 1, so that 0 stands for SQL NULL. */
        void nullableString(String s) {
            if (s == null) {
                varLong(0);
                return;
            }
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            varLong(bytes.length + 1L);
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buffer, size, bytes.length);
            size += bytes.length;
        }

        /** 0 and the string for a name not seen yet in this body, otherwise its index + 1. */
        void symbol(String name) {
            Integer index = symbols.get(name);
            if (index != null) {
                varLong(index + 1L);
                return;
            }
            symbols.put(name, symbols.size());
            varLong(0);
            string(name);
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buffer, size);
        }

        private void ensure(int more) {
            if (size + more > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
            }
        }
    }

    private static final class Reader {
        private final byte[] bytes;
        private final List<String> symbols = new ArrayList<>();
        private int position;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        int raw() {
            if (position >= bytes.length) {
                throw new IndexOutOfBoundsException("end of body");
            }
            return bytes[position++];
        }

        long varLong() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = raw();
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new MalformedEventException("varint longer than 64 bits");
        }

        int count() {
            long n = varLong();
            if (n < 0 || n > bytes.length) {
                throw new MalformedEventException("impossible element count " + n);
            }
            return (int) n;
        }

        String string() {
            return utf8(count());
        }

        String nullableString() {
            long lengthPlusOne = varLong();
            if (lengthPlusOne == 0) {
                return null;
            }
            if (lengthPlusOne - 1 > bytes.length - position) {
                throw new IndexOutOfBoundsException("string runs past the end of the body");
            }
            return utf8((int) (lengthPlusOne - 1));
        }

        String symbol() {
            long ref = varLong();
            if (ref == 0) {
                String name = string();
                symbols.add(name);
                return name;
            }
            if (ref > symbols.size()) {
                throw new MalformedEventException("reference to unknown symbol " + ref);
            }
            return symbols.get((int) ref - 1);
        }

        boolean atEnd() {
            return position == bytes.length;
        }

        private String utf8(int length) {
            if (length > bytes.length - position) {
                throw new IndexOutOfBoundsException("string runs past the end of the body");
            }
            String s = new String(bytes, position, length, StandardCharsets.UTF_8);
            position += length;
            return s;
        }
    }
}
