package io.syncline.conflict;

/** {@code min}: the smaller value survives (numeric, date, time and timestamp columns). Stateless and thread-safe. */
public final class MinStrategy extends ExtremumStrategy {

    public static final MinStrategy INSTANCE = new MinStrategy();

    @Override
    public String ruleName() {
        return "min";
    }

    @Override
    boolean keepsLocal(int comparison) {
        return comparison < 0;
    }
}
