package io.syncline.node.metrics;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Lag samples (milliseconds) of a recent window only, so that an idle, caught-up node shows no
 * lag instead of the history since it started. The window is {@code slots} slices of
 * {@code slice} each; a percentile covers the current slice and the ones before it, i.e. between
 * {@code (slots - 1) * slice} and {@code slots * slice} of the past. Values are kept in
 * log-linear buckets (exact below 128 ms, then within 1/64 of the value, up to about 70 minutes;
 * larger values count as that). Thread-safe (synchronized: a record is a few array writes).
 */
public final class RecentLag {

    /** A summary of the window; all zero without samples. */
    public record Snapshot(long count, long p50Millis, long p99Millis, long maxMillis) {}

    private static final int EXACT = 128;
    private static final int SUB_BUCKETS = 64;
    private static final int MAX_EXPONENT = 21;
    private static final int BUCKETS = EXACT + (MAX_EXPONENT - 6) * SUB_BUCKETS;
    private static final long MAX_TRACKED = (1L << (MAX_EXPONENT + 1)) - 1;

    private final long sliceMillis;
    private final LongSupplier millis;
    private final long[][] counts;
    private final long[] totals;
    private final long[] maxima;
    private final long[] sliceStarts;

    public RecentLag(Duration slice, int slots, LongSupplier millis) {
        if (slots < 2 || slice.toMillis() <= 0) {
            throw new IllegalArgumentException("need at least 2 slots of a positive slice: " + slots + " x " + slice);
        }
        this.sliceMillis = slice.toMillis();
        this.millis = millis;
        this.counts = new long[slots][BUCKETS];
        this.totals = new long[slots];
        this.maxima = new long[slots];
        this.sliceStarts = new long[slots];
        java.util.Arrays.fill(sliceStarts, Long.MIN_VALUE);
    }

    /** The last 60 to 70 s (seven slices of 10 s), on the wall clock. */
    public static RecentLag lastMinute() {
        return new RecentLag(Duration.ofSeconds(10), 7, System::currentTimeMillis);
    }

    public synchronized void record(long lagMillis) {
        long value = Math.max(0, lagMillis);
        int slot = currentSlot();
        counts[slot][bucket(Math.min(value, MAX_TRACKED))]++;
        totals[slot]++;
        maxima[slot] = Math.max(maxima[slot], value);
    }

    public synchronized Snapshot snapshot() {
        currentSlot();
        long[] merged = new long[BUCKETS];
        long total = 0;
        long max = 0;
        for (int s = 0; s < counts.length; s++) {
            if (sliceStarts[s] == Long.MIN_VALUE) {
                continue;
            }
            for (int b = 0; b < BUCKETS; b++) {
                merged[b] += counts[s][b];
            }
            total += totals[s];
            max = Math.max(max, maxima[s]);
        }
        if (total == 0) {
            return new Snapshot(0, 0, 0, 0);
        }
        return new Snapshot(total, Math.min(percentile(merged, total, 50), max), Math.min(percentile(merged, total, 99), max), max);
    }

    /** The slot of now, cleared first if it still holds an older slice; clears every slice older than the window. */
    private int currentSlot() {
        long now = millis.getAsLong();
        long sliceStart = Math.floorDiv(now, sliceMillis) * sliceMillis;
        long oldest = sliceStart - (counts.length - 1) * sliceMillis;
        for (int s = 0; s < counts.length; s++) {
            if (sliceStarts[s] != Long.MIN_VALUE && sliceStarts[s] < oldest) {
                clear(s);
            }
        }
        int slot = (int) Math.floorMod(Math.floorDiv(now, sliceMillis), (long) counts.length);
        if (sliceStarts[slot] != sliceStart) {
            clear(slot);
            sliceStarts[slot] = sliceStart;
        }
        return slot;
    }

    private void clear(int slot) {
        java.util.Arrays.fill(counts[slot], 0);
        totals[slot] = 0;
        maxima[slot] = 0;
        sliceStarts[slot] = Long.MIN_VALUE;
    }

    private static long percentile(long[] merged, long total, double percentile) {
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * total));
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += merged[b];
            if (seen >= rank) {
                return upperBound(b);
            }
        }
        return MAX_TRACKED;
    }

    static int bucket(long value) {
        if (value < EXACT) {
            return (int) value;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(value);
        return EXACT + (exponent - 7) * SUB_BUCKETS + (int) ((value >> (exponent - 6)) - SUB_BUCKETS);
    }

    /** The largest value of bucket {@code b}. */
    static long upperBound(int b) {
        if (b < EXACT) {
            return b;
        }
        int exponent = (b - EXACT) / SUB_BUCKETS + 7;
        long sub = (b - EXACT) % SUB_BUCKETS + SUB_BUCKETS;
        return ((sub + 1) << (exponent - 6)) - 1;
    }
}
