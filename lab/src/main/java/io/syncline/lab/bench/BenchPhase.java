package io.syncline.lab.bench;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The parts of {@code syncline bench} that {@code --phases} selects. */
public enum BenchPhase {
    /** Native and Syncline backlogs of updates and inserts: replication throughput. */
    BACKLOGS("backlogs"),
    /** One node catching up on backlogs already in Kafka, with one writer and the default, beside native apply. */
    APPLY_ONLY("apply_only"),
    /** Replication lag under a steady load, with 2 and with {@code --nodes} datacenters. */
    LAG("lag"),
    /** The application's write rate without and with Syncline, on rows of its own. */
    APP("app"),
    /** The applications of every datacenter updating the same few rows, with 2 and with 3 datacenters. */
    HOT_ROWS("hot_rows"),
    /** {@code syncline join}'s copy of a peer's tables beside {@code pg_dump | psql} of the same rows. */
    JOIN("join");

    private final String optionName;

    BenchPhase(String optionName) {
        this.optionName = optionName;
    }

    public String optionName() {
        return optionName;
    }

    public static Optional<BenchPhase> fromOptionName(String name) {
        return Arrays.stream(values()).filter(phase -> phase.optionName.equals(name)).findFirst();
    }

    /** The phases of a comma-separated list of option names, or every phase for "all". */
    public static Set<BenchPhase> parse(String names) {
        Set<BenchPhase> phases = EnumSet.noneOf(BenchPhase.class);
        for (String name : names.split(",")) {
            String trimmed = name.trim();
            if (trimmed.equals("all")) {
                return EnumSet.allOf(BenchPhase.class);
            }
            phases.add(fromOptionName(trimmed).orElseThrow(() -> new IllegalArgumentException("--phases takes "
                    + Arrays.stream(values()).map(BenchPhase::optionName).collect(Collectors.joining(", "))
                    + " or all, not " + trimmed)));
        }
        return phases;
    }
}
