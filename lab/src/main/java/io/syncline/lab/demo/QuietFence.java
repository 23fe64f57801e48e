package io.syncline.lab.demo;

/**
 * A point in a database's WAL that its capture is certain to read and acknowledge: a
 * transactional logical message. Waiting until the capture's slot has confirmed a fence written
 * after the writes stopped proves that the capture has published every transaction committed
 * before it.
 *
 * <p>{@code pg_current_wal_lsn()} is no such point: the WAL often ends with records the capture
 * gets no event for (the background writer's running-transactions snapshots, DDL, writes to
 * tables outside the publication), and since PostgreSQL 15 pgoutput does not even send such
 * empty transactions, so the slot's {@code confirmed_flush_lsn} stays behind it until the next
 * replicated change, which after the writes stopped never comes. A logical message reaches the
 * capture as an event of its own transaction ({@code op = m}); the capture publishes nothing for
 * it but acknowledges it like any other transaction.
 */
public final class QuietFence {

    /** Writes a fence in its own transaction and returns its position as {@code pg_lsn} text. */
    public static final String EMIT_SQL = "SELECT pg_logical_emit_message(true, 'syncline-quiet-fence', '')::text";

    private QuietFence() {}
}
