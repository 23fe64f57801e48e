package io.syncline.lab.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.List;

/**
 * The outcome of a replication demo run: what was written, what was replicated and whether
 * every database ended up identical.
 */
public record DemoReport(
        boolean converged,
        int nodes,
        String topology,
        long writes,
        long conflicts,
        long rowsCompared,
        long mismatchedRows,
        long lagP50Millis,
        long lagP99Millis,
        long lagMaxMillis,
        double appliedRowsPerSecond,
        long appliedRows,
        long forwarded,
        long workloadMillis,
        long drainMillis,
        List<String> mismatchExamples,
        String policy,
        Counters counters,
        Causal causal) {

    /**
     * {@code --policy delta}: the sum of every committed increment, and the counter total read back
     * from each database (node -> total).
     */
    public record Counters(long expected, long increments, java.util.Map<String, Long> actual) {
        public boolean match() {
            return actual.values().stream().allMatch(total -> total == expected);
        }

        /** The total all databases agree on, or else the one furthest from the expected total. */
        long reported() {
            return actual.values().stream().max(java.util.Comparator.comparingLong(t -> Math.abs(t - expected))).orElse(0L);
        }
    }

    /** {@code --clock-skew}: writes made after observing another node's write of the row, and how many were lost. */
    public record Causal(long observedWrites, long lostWrites, List<String> examples) {}

    /** Whether the demo succeeded: converged, and every counter total and causal write accounted for. */
    public boolean ok() {
        return converged && (counters == null || counters.match()) && (causal == null || causal.lostWrites() == 0);
    }

    /** One JSON object, the contract of {@code syncline demo --json}. */
    public String toJson() {
        ObjectNode json = new ObjectMapper().createObjectNode()
                .put("converged", converged)
                .put("nodes", nodes)
                .put("topology", topology)
                .put("writes", writes)
                .put("conflicts", conflicts)
                .put("rows_compared", rowsCompared)
                .put("mismatched_rows", mismatchedRows)
                .put("applied_rows", appliedRows)
                .put("applied_rows_per_s", Math.round(appliedRowsPerSecond * 10) / 10.0)
                .put("forwarded", forwarded)
                .put("workload_ms", workloadMillis)
                .put("drain_ms", drainMillis);
        json.put("policy", policy);
        if (counters != null) {
            json.put("counter_total_expected", counters.expected()).put("counter_total_actual", counters.reported())
                    .put("counter_increments", counters.increments());
            ObjectNode byNode = json.putObject("counter_total_by_node");
            counters.actual().forEach(byNode::put);
        }
        if (causal != null) {
            json.put("observed_writes", causal.observedWrites()).put("lost_causal_writes", causal.lostWrites());
        }
        json.putObject("lag_ms").put("p50", lagP50Millis).put("p99", lagP99Millis).put("max", lagMaxMillis);
        return json.toString();
    }

    public void printSummary(PrintStream out) {
        out.printf("%n%s: %d nodes, %s topology%n", converged ? "CONVERGED" : "NOT CONVERGED", nodes, topology);
        out.printf("  writes made by the workload     %,d rows in %.1f s%n", writes, workloadMillis / 1000.0);
        out.printf("  rows applied at other nodes     %,d (%.0f rows/s), %,d forwarded%n", appliedRows, appliedRowsPerSecond, forwarded);
        out.printf("  conflicts resolved and logged   %,d%n", conflicts);
        out.printf("  replication lag                 p50 %d ms, p99 %d ms, max %d ms%n", lagP50Millis, lagP99Millis, lagMaxMillis);
        out.printf("  rows compared across all nodes  %,d, mismatched %,d%n", rowsCompared, mismatchedRows);
        mismatchExamples.forEach(example -> out.println("    " + example));
        if (counters != null) {
            out.printf("  delta counters                  %,d increments, total expected %,d, read back %s%n",
                    counters.increments(), counters.expected(), counters.actual());
        }
        if (causal != null) {
            out.printf("  writes made after observing     %,d, lost %,d%n", causal.observedWrites(), causal.lostWrites());
            causal.examples().forEach(example -> out.println("    " + example));
        }
    }
}
