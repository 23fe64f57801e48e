package io.syncline.node.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A node that {@code syncline join} copied, catching up: it is {@code catchup} until each of its
 * upstream links has read that upstream's outbox to the offset it had when the copy ended, then
 * {@code active}. Keeps the records left and an estimate of the time left from the rate they
 * shrink. Not thread-safe: one timer thread calls {@link #check}.
 */
final class CatchUp {

    /** Where a catch-up stands. */
    record Progress(boolean done, long recordsLeft, Duration estimate, String waitingFor) {

        /** E.g. {@code 1,200 record(s) left (dc-a 1,200), about 3 s}. */
        String describe() {
            if (done) {
                return "caught up";
            }
            return String.format("%,d record(s) left to read (%s)%s", recordsLeft, waitingFor,
                    estimate == null ? "" : ", about " + Math.max(1, estimate.toSeconds()) + " s");
        }
    }

    private final Map<String, Long> targets;
    private long firstLeft = -1;
    private long firstAtNanos;

    /** @param targets per upstream, the outbox offset to reach */
    CatchUp(Map<String, Long> targets) {
        this.targets = new TreeMap<>(targets);
    }

    /**
     * @param links the status of the link from an upstream, null when none runs
     * @param nowNanos a monotonic clock
     */
    Progress check(Function<String, LinkStatus> links, long nowNanos) {
        long left = 0;
        List<String> waiting = new ArrayList<>();
        for (Map.Entry<String, Long> target : targets.entrySet()) {
            LinkStatus link = links.apply(target.getKey());
            long next = link == null ? -1 : link.nextOffset();
            // REJECTED streams on; the records it kept aside wait for the operator, not for the catch-up.
            boolean streaming = link != null
                    && (link.state() == LinkStatus.State.STREAMING || link.state() == LinkStatus.State.REJECTED);
            if (next >= target.getValue() && streaming) {
                continue;
            }
            long behind = Math.max(0, target.getValue() - Math.max(0, next));
            left += behind;
            waiting.add(target.getKey() + (link == null ? " not read yet"
                    : streaming ? String.format(" %,d", behind) : " " + link.state()));
        }
        if (waiting.isEmpty()) {
            return new Progress(true, 0, Duration.ZERO, "");
        }
        if (firstLeft < 0) {
            firstLeft = left;
            firstAtNanos = nowNanos;
        }
        Duration estimate = null;
        long done = firstLeft - left;
        if (done > 0 && nowNanos > firstAtNanos) {
            estimate = Duration.ofNanos((long) ((double) (nowNanos - firstAtNanos) / done * left));
        }
        return new Progress(false, left, estimate, String.join(", ", waiting));
    }
}
