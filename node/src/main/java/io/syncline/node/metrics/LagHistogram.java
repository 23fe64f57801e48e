package io.syncline.node.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Replication lag (origin commit to local apply commit) in whole milliseconds: exact up to
 * one minute, everything above counts as one minute. Lock-free; safe to record from several
 * link threads while another thread reads percentiles.
 */
public final class LagHistogram {

    private static final int MAX_MILLIS = 60_000;

    private final AtomicLongArray counts = new AtomicLongArray(MAX_MILLIS + 1);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    public void record(long lagMillis) {
        long clamped = Math.max(0, lagMillis);
        counts.incrementAndGet((int) Math.min(clamped, MAX_MILLIS));
        total.incrementAndGet();
        max.accumulateAndGet(clamped, Math::max);
    }

    /** Adds every sample of {@code other} to this histogram. */
    public void addAll(LagHistogram other) {
        // The total first: samples recorded meanwhile then show in the counts only, never in the
        // total alone, so that a percentile never runs past the last bucket.
        long otherTotal = other.total.get();
        for (int millis = 0; millis <= MAX_MILLIS; millis++) {
            long n = other.counts.get(millis);
            if (n > 0) {
                counts.addAndGet(millis, n);
            }
        }
        total.addAndGet(otherTotal);
        max.accumulateAndGet(other.max.get(), Math::max);
    }

    /**
     * The samples recorded since {@code earlier}, a copy of this histogram taken before (see
     * {@link #addAll}); the maximum is that of those samples.
     */
    public LagHistogram since(LagHistogram earlier) {
        LagHistogram difference = new LagHistogram();
        long newest = 0;
        for (int millis = 0; millis <= MAX_MILLIS; millis++) {
            long n = counts.get(millis) - earlier.counts.get(millis);
            if (n < 0) {
                throw new IllegalArgumentException("not an earlier copy of this histogram: it has more samples of " + millis + " ms");
            }
            if (n > 0) {
                difference.counts.set(millis, n);
                difference.total.addAndGet(n);
                newest = millis;
            }
        }
        difference.max.set(newest == MAX_MILLIS ? Math.max(MAX_MILLIS, max.get()) : newest);
        return difference;
    }

    public long count() {
        return total.get();
    }

    public long maxMillis() {
        return max.get();
    }

    /** The smallest lag that at least {@code percentile}% of the samples do not exceed; 0 without samples. */
    public long percentile(double percentile) {
        long n = total.get();
        if (n == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * n));
        long seen = 0;
        for (int millis = 0; millis <= MAX_MILLIS; millis++) {
            seen += counts.get(millis);
            if (seen >= rank) {
                return millis;
            }
        }
        return MAX_MILLIS;
    }
}
