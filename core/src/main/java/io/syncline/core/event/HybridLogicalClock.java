package io.syncline.core.event;

import java.time.Instant;

/**
 * Hybrid logical clock values (Kulkarni et al., "Logical Physical Clocks", 2014) packed in a
 * {@code long}: the upper 48 bits are wall-clock milliseconds since the epoch, the lower 16
 * bits a logical counter. A new version of a row gets
 * {@code max(now, previousVersionOfThatRow + 1)}, so a write made after seeing another write
 * of the same row always has the greater value even when its node's wall clock is behind.
 *
 * <p>The same rule runs inside PostgreSQL (the row trigger installed by {@code syncline init})
 * for local writes; this class is the Java side of the encoding. Stateless and thread-safe.
 */
public final class HybridLogicalClock {

    private static final int LOGICAL_BITS = 16;

    private HybridLogicalClock() {}

    public static long of(long physicalMillis, int logical) {
        if (logical < 0 || logical >= (1 << LOGICAL_BITS)) {
            throw new IllegalArgumentException("logical counter out of range: " + logical);
        }
        return (physicalMillis << LOGICAL_BITS) | logical;
    }

    public static long physicalMillis(long hlc) {
        return hlc >>> LOGICAL_BITS;
    }

    public static int logical(long hlc) {
        return (int) (hlc & ((1 << LOGICAL_BITS) - 1));
    }

    /** The clock value of a new version written at {@code nowMillis} over a version with {@code previousHlc}. */
    public static long next(long nowMillis, long previousHlc) {
        return Math.max(of(nowMillis, 0), previousHlc + 1);
    }

    /** Human-readable form for logs and the conflict log: {@code 2026-11-26T14:00:00.123Z+3}. */
    public static String format(long hlc) {
        return Instant.ofEpochMilli(physicalMillis(hlc)) + "+" + logical(hlc);
    }
}
