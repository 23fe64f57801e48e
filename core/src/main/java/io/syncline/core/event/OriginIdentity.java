package io.syncline.core.event;

/**
 * Who published an origin's transactions: its database and the capture's epoch. Positions are WAL
 * positions of one database, and only comparable under one identity: a rebuilt database (a new
 * PostgreSQL system identifier) or a capture reset (a new epoch) starts a new sequence.
 *
 * @param systemIdentifier the origin database's {@code pg_control_system().system_identifier}
 * @param epoch            the origin's capture epoch ({@code syncline.capture_identity}), 1 after
 *                         {@code syncline init}, raised by each {@code syncline capture reset}
 */
public record OriginIdentity(long systemIdentifier, long epoch) {

    @Override
    public String toString() {
        return "system " + Long.toUnsignedString(systemIdentifier) + " epoch " + epoch;
    }
}
