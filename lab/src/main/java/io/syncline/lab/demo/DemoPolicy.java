package io.syncline.lab.demo;

import java.util.Arrays;
import java.util.Locale;

/** The conflict policy the demo shows ({@code syncline demo --policy}). */
public enum DemoPolicy {
    /** Last write wins on every table; the default. */
    LWW,
    /** Also a counter table whose counter column is {@code delta}, incremented at every datacenter. */
    DELTA;

    /** The command-line spelling. */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static DemoPolicy parse(String value) {
        return Arrays.stream(values()).filter(p -> p.optionName().equals(value)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("--policy must be one of " + Arrays.stream(values()).map(DemoPolicy::optionName)
                        .toList() + ", not " + value));
    }
}
