package io.syncline.conflict;

import java.util.Locale;

/** Which side of a conflict survives. */
public enum Winner {
    LOCAL,
    REMOTE;

    /** The value of {@code syncline.conflict_log.winner}. */
    public String logName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
