package io.syncline.schema.gc;

import java.util.Map;
import java.util.TreeMap;

/**
 * Origin node -> position in that origin's WAL: how far a node has applied each origin, or what a
 * tombstone checkpoint requires. Immutable.
 */
public record Positions(Map<String, Long> byOrigin) {

    public static final Positions NONE = new Positions(Map.of());

    public Positions {
        byOrigin = Map.copyOf(new TreeMap<>(byOrigin));
    }

    /** This position of {@code origin}, or -1 when none is known. */
    public long of(String origin) {
        return byOrigin.getOrDefault(origin, -1L);
    }

    /** The same positions with {@code origin} at {@code position}. */
    public Positions with(String origin, long position) {
        Map<String, Long> copy = new TreeMap<>(byOrigin);
        copy.put(origin, position);
        return new Positions(copy);
    }

    /** The same positions of the origins in {@code origins} only. */
    public Positions only(java.util.Collection<String> origins) {
        Map<String, Long> copy = new TreeMap<>(byOrigin);
        copy.keySet().retainAll(origins);
        return new Positions(copy);
    }

    /**
     * Whether these positions reach {@code required} for every origin but {@code except} (a node has
     * trivially seen its own writes; {@code null} to check every origin).
     */
    public boolean covers(Positions required, String except) {
        for (Map.Entry<String, Long> entry : required.byOrigin.entrySet()) {
            if (!entry.getKey().equals(except) && of(entry.getKey()) < entry.getValue()) {
                return false;
            }
        }
        return true;
    }
}
