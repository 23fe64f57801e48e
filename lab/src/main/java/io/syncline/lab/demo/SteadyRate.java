package io.syncline.lab.demo;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces a loop at a fixed number of iterations per second, on a fixed schedule: a slow
 * iteration is caught up by the next ones instead of lowering the rate. Not thread-safe: one
 * writer thread owns one.
 */
public final class SteadyRate {

    private final long intervalNanos;
    private long next = System.nanoTime();

    public SteadyRate(double perSecond) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("the rate must be positive: " + perSecond);
        }
        this.intervalNanos = (long) (1_000_000_000L / perSecond);
    }

    /** Waits until the next iteration is due; returns at once when behind schedule. */
    public void awaitNext() {
        next += intervalNanos;
        long wait = next - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }
}
