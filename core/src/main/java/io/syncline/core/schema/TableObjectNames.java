package io.syncline.core.schema;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * The names of the trigger functions (in schema {@value ReplicationSchema#SCHEMA}) and triggers
 * that {@code syncline init} creates for one replicated table. Immutable and thread-safe.
 *
 * <p>A function name is a readable stem of the schema and table, a hash of the exact quoted name
 * {@code "schema"."table"}, and the trigger's {@link Kind}, e.g.
 * {@code public_orders_3f9a0c11d2_stamp}. The hash keeps tables whose readable stems agree apart
 * ({@code public.a_b} and {@code public_a.b}) and is always there, so a table's names depend on
 * that table alone and never change when other tables are added. Every name fits in
 * {@value #MAX_IDENTIFIER_BYTES} bytes, the length beyond which PostgreSQL cuts identifiers
 * (NAMEDATALEN - 1, PostgreSQL manual, "Identifiers and Key Words"), so no two names are cut into one.
 * The triggers are named per table ({@code syncline_stamp}, ...): trigger names are only unique
 * within their table.
 */
public record TableObjectNames(String schema, String table, String stem) {

    /** What each trigger does; the function and trigger names end in {@link #suffix()}. */
    public enum Kind {
        /** BEFORE INSERT OR UPDATE, per row: stamps the row version of a local write. */
        STAMP,
        /** AFTER INSERT, per row: re-stamps an insert that missed a concurrent delete's tombstone. */
        RESTAMP,
        /** AFTER DELETE, per row: leaves a tombstone. */
        TOMBSTONE,
        /** BEFORE TRUNCATE, per statement: refuses a TRUNCATE, which is not replicated. */
        TRUNCATE;

        public String suffix() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The trigger's name on the table. */
        public String triggerName() {
            return "syncline_" + suffix();
        }
    }

    /** PostgreSQL's longest identifier, in bytes. */
    public static final int MAX_IDENTIFIER_BYTES = 63;

    /** Hex digits of SHA-256 kept: 40 bits. */
    static final int HASH_DIGITS = 10;

    private static final int LONGEST_SUFFIX = java.util.Arrays.stream(Kind.values())
            .mapToInt(k -> k.suffix().length()).max().orElseThrow();

    /** The readable part: what is left for it once the hash, the suffix and two separators have their room. */
    static final int MAX_READABLE = MAX_IDENTIFIER_BYTES - HASH_DIGITS - LONGEST_SUFFIX - 2;

    public TableObjectNames {
        Objects.requireNonNull(schema);
        Objects.requireNonNull(table);
        Objects.requireNonNull(stem);
    }

    /** The names of table {@code schema.table}, names as the catalog has them (unquoted, case kept). */
    public static TableObjectNames of(String schema, String table) {
        String readable = (schema + "_" + table).replaceAll("[^A-Za-z0-9_]", "_").toLowerCase(Locale.ROOT);
        if (readable.length() > MAX_READABLE) {
            readable = readable.substring(0, MAX_READABLE);
        }
        return new TableObjectNames(schema, table, readable + "_" + hash(quoted(schema) + "." + quoted(table)));
    }

    /** The function's name, unqualified and unquoted (it lives in {@value ReplicationSchema#SCHEMA}). */
    public String function(Kind kind) {
        return stem + "_" + kind.suffix();
    }

    /** {@code syncline."<function>"()}, for SQL. */
    public String qualifiedFunction(Kind kind) {
        return ReplicationSchema.SCHEMA + "." + quoted(function(kind)) + "()";
    }

    /** {@code schema.table}, as in the configuration. */
    public String qualifiedTable() {
        return schema + "." + table;
    }

    private static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String hash(String exactName) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(exactName.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
