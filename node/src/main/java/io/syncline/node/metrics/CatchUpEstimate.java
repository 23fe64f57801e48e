package io.syncline.node.metrics;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * How long a link needs to catch up at its recent pace: the records it is behind divided by the
 * rate at which that number shrank over the recent window, which is its apply rate net of the
 * upstream's publish rate (both in outbox offsets per second). Fed with each sample of records
 * behind; not thread-safe (the sampling thread owns it).
 */
public final class CatchUpEstimate {

    /** Where a link stands. */
    public enum Trend {
        /** Nothing behind. */
        CAUGHT_UP,
        /** Behind, and the gap shrank over the window. */
        CATCHING_UP,
        /** Behind, and the gap did not shrink over the window: the upstream publishes as fast or faster, or nothing applies. */
        NOT_CATCHING_UP,
        /** Records behind unknown, or not sampled over enough time yet. */
        UNKNOWN
    }

    /**
     * @param seconds 0 when caught up, the estimate when catching up, +Inf when not catching up, NaN when unknown
     */
    public record Estimate(Trend trend, double seconds) {

        public static final Estimate UNKNOWN = new Estimate(Trend.UNKNOWN, Double.NaN);
    }

    private record Sample(long atMillis, long behind) {}

    private final long windowMillis;
    private final long minimumSpanMillis;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    /**
     * @param window      how far back the rate looks
     * @param minimumSpan the least time between the oldest and newest sample for an estimate
     */
    public CatchUpEstimate(Duration window, Duration minimumSpan) {
        if (minimumSpan.compareTo(window) > 0 || minimumSpan.isNegative() || minimumSpan.isZero()) {
            throw new IllegalArgumentException("need 0 < minimum span <= window: " + minimumSpan + ", " + window);
        }
        this.windowMillis = window.toMillis();
        this.minimumSpanMillis = minimumSpan.toMillis();
    }

    /** Over the last 30 s, once 4 s were sampled. */
    public static CatchUpEstimate recent() {
        return new CatchUpEstimate(Duration.ofSeconds(30), Duration.ofSeconds(4));
    }

    /** Records one sample of records behind (negative: unknown, which restarts the window) and estimates from the window. */
    public Estimate record(long atMillis, long behind) {
        if (behind < 0) {
            samples.clear();
            return Estimate.UNKNOWN;
        }
        samples.addLast(new Sample(atMillis, behind));
        while (samples.size() > 2 && samples.peekFirst().atMillis() < atMillis - windowMillis) {
            samples.removeFirst();
        }
        if (behind == 0) {
            return new Estimate(Trend.CAUGHT_UP, 0);
        }
        Sample oldest = samples.peekFirst();
        long span = atMillis - oldest.atMillis();
        if (span < minimumSpanMillis) {
            return Estimate.UNKNOWN;
        }
        double shrinkPerSecond = (oldest.behind() - behind) * 1000.0 / span;
        if (shrinkPerSecond <= 0) {
            return new Estimate(Trend.NOT_CATCHING_UP, Double.POSITIVE_INFINITY);
        }
        return new Estimate(Trend.CATCHING_UP, behind / shrinkPerSecond);
    }
}
