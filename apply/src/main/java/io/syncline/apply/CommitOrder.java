package io.syncline.apply;

/**
 * The order in which the target transactions of one batch, numbered from 0, commit: each after
 * the one before it, and none after one that failed. Thread-safe: the writers of a batch share it.
 */
final class CommitOrder {

    private int committed = -1;
    private int failedAt = Integer.MAX_VALUE;
    private Exception failure;

    /**
     * Waits until target transaction {@code index} committed, or one before {@code waiter} failed.
     *
     * @return false when {@code waiter} must not commit: one before it failed
     */
    synchronized boolean awaitCommitted(int index, int waiter) throws InterruptedException {
        while (committed < index && failedAt >= waiter) {
            wait();
        }
        return failedAt >= waiter;
    }

    /** Where a target transaction waiting to commit stands. */
    enum Turn {
        /** Every one before it committed. */
        COMMIT,
        /** Some before it are still running. */
        NOT_YET,
        /** One before it failed: it must roll back. */
        ABANDON
    }

    /** Waits at most {@code millis} for the turn of {@code waiter} to commit. */
    synchronized Turn awaitTurn(int waiter, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        long left = millis;
        while (committed < waiter - 1 && failedAt >= waiter && left > 0) {
            wait(left);
            left = (deadline - System.nanoTime()) / 1_000_000;
        }
        if (failedAt < waiter) {
            return Turn.ABANDON;
        }
        return committed >= waiter - 1 ? Turn.COMMIT : Turn.NOT_YET;
    }

    /** Whether {@code index} is next to commit. */
    synchronized boolean isNext(int index) {
        return committed == index - 1;
    }

    synchronized void committed(int index) {
        if (index != committed + 1) {
            throw new IllegalStateException("target transaction " + index + " committed after " + committed);
        }
        committed = index;
        notifyAll();
    }

    synchronized void failed(int index, Exception cause) {
        if (index < failedAt) {
            failedAt = index;
            failure = cause;
        }
        notifyAll();
    }

    /** The failure of the first target transaction that failed, or null. */
    synchronized Exception failure() {
        return failure;
    }
}
