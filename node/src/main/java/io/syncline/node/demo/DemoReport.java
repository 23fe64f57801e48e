package io.syncline.node.demo;

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
        List<String> mismatchExamples) {

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
    }
}
