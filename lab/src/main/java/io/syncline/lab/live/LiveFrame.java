package io.syncline.lab.live;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The text of one frame of a live view: a title, the outcomes of finished steps, the phase with
 * its progress, and a row of figures per running datacenter. Pure and stateless: the same figures
 * give the same lines.
 */
public final class LiveFrame {

    /** The figures of one datacenter at one moment; {@code lagP99Millis} is over the last seconds only. */
    public record Row(String name, long written, long applied, long lagP99Millis, long conflicts, String links) {}

    private static final int BAR_WIDTH = 24;
    private static final String ROW_FORMAT = "  %-6s %10s %10s %14s %10s  %s";

    private LiveFrame() {}

    /**
     * @param elapsed how long the current phase has run
     * @param length  its planned length, or {@code null} when it ends on a condition
     */
    public static List<String> lines(String title, List<String> results, String phase, Duration elapsed, Duration length,
            List<Row> rows) {
        List<String> lines = new ArrayList<>();
        lines.add(title);
        results.forEach(result -> lines.add("  " + result));
        lines.add("  " + phase + "  " + progress(elapsed, length));
        if (!rows.isEmpty()) {
            lines.add(String.format(ROW_FORMAT, "DC", "WRITTEN", "APPLIED", "LAG p99 (5 s)", "CONFLICTS", "LINKS"));
            for (Row row : rows) {
                lines.add(String.format(ROW_FORMAT, row.name(), String.format("%,d", row.written()),
                        String.format("%,d", row.applied()), String.format("%,d ms", row.lagP99Millis()), String.format("%,d", row.conflicts()),
                        row.links()));
            }
        }
        return lines;
    }

    private static String progress(Duration elapsed, Duration length) {
        if (length == null || length.isZero()) {
            return seconds(elapsed) + " s";
        }
        double done = Math.min(1.0, (double) elapsed.toMillis() / length.toMillis());
        int filled = (int) Math.round(done * BAR_WIDTH);
        return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] " + seconds(elapsed) + "/" + seconds(length)
                + " s";
    }

    private static long seconds(Duration duration) {
        return duration.toSeconds();
    }
}
