package io.syncline.node.runtime;

import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** What one link (this node reading one upstream outbox) is doing, for status and the demo. Thread-safe. */
public final class LinkStatus {

    /** Lifecycle of a link. */
    public enum State {
        STARTING,
        STREAMING,
        RETRYING,
        /**
         * Paused: a change does not fit the local table (a column missing here); {@link #lastError()}
         * names the table and column. Applies the same batch again from time to time and streams on
         * by itself once the local schema matches.
         */
        SCHEMA_MISMATCH,
        /**
         * Streaming, valid records keep applying, but records this link read failed validation and wait in
         * {@code syncline.quarantine} ({@link #quarantined()}; {@link #lastError()} names the last one). Back to
         * {@link #STREAMING} once the operator discarded them (docs/quarantine.md).
         */
        REJECTED,
        /**
         * Stopped at a break in continuity: records it needs are gone from the upstream outbox, or a
         * transaction does not continue its origin's chain (docs/continuity.md). Nothing after it is applied.
         */
        GAP,
        FAILED,
        STOPPED
    }

    private final String upstream;
    private volatile Set<String> standsInFor = Set.of();
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final AtomicReference<Instant> lastContact = new AtomicReference<>();
    private final AtomicLong appliedTransactions = new AtomicLong();
    private final AtomicLong duplicateTransactions = new AtomicLong();
    private final AtomicLong droppedTransactions = new AtomicLong();
    private final AtomicLong echoTransactions = new AtomicLong();
    private final AtomicLong forwardedTransactions = new AtomicLong();
    private final AtomicLong appliedRows = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicLong parked = new AtomicLong();
    private final AtomicLong nextOffset = new AtomicLong(-1);
    private final AtomicLong quarantined = new AtomicLong();
    private final AtomicLong readBytes = new AtomicLong();
    private final AtomicLong readOffsets = new AtomicLong();

    public LinkStatus(String upstream) {
        this.upstream = upstream;
    }

    public String upstream() {
        return upstream;
    }

    /**
     * The down nodes this link reads around (it reads the outbox of their upstream directly);
     * empty for a link of the configured topology. Immutable.
     */
    public Set<String> standsInFor() {
        return standsInFor;
    }

    void standsInFor(Set<String> downNodes) {
        standsInFor = Set.copyOf(downNodes);
    }

    /** {@code configured}, or {@code instead of dc-b} for a link that bypasses dead nodes. */
    public String role() {
        Set<String> bypassed = standsInFor;
        return bypassed.isEmpty() ? "configured" : "instead of " + String.join(", ", new TreeSet<>(bypassed));
    }

    /** The state; {@link State#REJECTED} while streaming with records of this link in the quarantine. */
    public State state() {
        State current = state.get();
        return current == State.STREAMING && quarantined.get() > 0 ? State.REJECTED : current;
    }

    void state(State newState, String error) {
        state.set(newState);
        if (error != null) {
            lastError.set(error);
        }
    }

    public String lastError() {
        return lastError.get();
    }

    /** When the upstream's Kafka last answered a poll; null before the first answer. */
    public Instant lastContact() {
        return lastContact.get();
    }

    void contacted(Instant now) {
        lastContact.set(now);
    }

    void applied(int transactions, int duplicates, int echoes, long rows, int conflictCount) {
        appliedTransactions.addAndGet(transactions);
        duplicateTransactions.addAndGet(duplicates);
        echoTransactions.addAndGet(echoes);
        appliedRows.addAndGet(rows);
        conflicts.addAndGet(conflictCount);
    }

    void quarantined(int count, String what) {
        quarantined.addAndGet(count);
        lastError.set(what);
    }

    void quarantinedWaiting(long count) {
        quarantined.set(count);
    }

    void parked(int count) {
        parked.addAndGet(count);
    }

    void dropped(int transactions) {
        droppedTransactions.addAndGet(transactions);
    }

    void forwarded(int transactions) {
        forwardedTransactions.addAndGet(transactions);
    }

    void nextOffset(long offset) {
        nextOffset.set(offset);
    }

    /** A poll returned records of {@code bytes} (their bodies) spanning {@code offsets} outbox offsets (markers included). */
    void read(long bytes, long offsets) {
        readBytes.addAndGet(bytes);
        readOffsets.addAndGet(offsets);
    }

    /**
     * The mean bytes per upstream outbox offset this link read since it started: transaction bodies over the
     * offsets they spanned, so Kafka's transaction markers (an offset each, no body) lower the mean as they
     * lower the data behind an offset. NaN before the first record.
     */
    public double bytesPerOffset() {
        long offsets = readOffsets.get();
        return offsets <= 0 ? Double.NaN : (double) readBytes.get() / offsets;
    }

    public long appliedTransactions() {
        return appliedTransactions.get();
    }

    public long duplicateTransactions() {
        return duplicateTransactions.get();
    }

    /**
     * Transactions the applier refused because they came from this node or had already passed
     * through it (an echo the router should have dropped); 0 in a healthy deployment.
     */
    public long echoTransactions() {
        return echoTransactions.get();
    }

    /** Transactions the router did not hand to the applier (loops: this node is in their path). */
    public long droppedTransactions() {
        return droppedTransactions.get();
    }

    public long forwardedTransactions() {
        return forwardedTransactions.get();
    }

    public long appliedRows() {
        return appliedRows.get();
    }

    public long conflicts() {
        return conflicts.get();
    }

    /**
     * Dead letters this link wrote to {@code syncline.dead_letter}: source transactions the database
     * refused ({@code on-error: park}) and changes whose conflict resolution failed. Each waits for
     * {@code syncline conflicts retry}; the link streams on.
     */
    public long parked() {
        return parked.get();
    }

    /** Records read by this link that wait in {@code syncline.quarantine} (counted again from time to time). */
    public long quarantined() {
        return quarantined.get();
    }

    /** The next upstream outbox offset this link will read; -1 before the first batch. */
    public long nextOffset() {
        return nextOffset.get();
    }
}
