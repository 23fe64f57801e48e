package io.syncline.conflict;

/** {@code max}: the greater value survives (numeric, date, time and timestamp columns). Stateless and thread-safe. */
public final class MaxStrategy extends ExtremumStrategy {

    public static final MaxStrategy INSTANCE = new MaxStrategy();

    @Override
    public String ruleName() {
        return "max";
    }

    @Override
    boolean keepsLocal(int comparison) {
        return comparison > 0;
    }
}
