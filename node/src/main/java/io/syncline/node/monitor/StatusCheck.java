package io.syncline.node.monitor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Judges a {@link StatusReport} the way monitoring plugins do (Nagios, Icinga, Sensu): OK,
 * WARNING, CRITICAL or UNKNOWN, with exit statuses 0 to 3. A link counts as fine only while it
 * streams; starting or retrying is a warning; any other state (failed, stopped, or one added
 * later) is critical, so that a new way of stopping is never judged OK. REJECTED is critical too:
 * the link streams on, but records it read were quarantined, not applied. Immutable.
 *
 * @param lagWarning      end-to-end lag p99 over the recent window from any origin that warns
 * @param lagCritical     ... that is critical
 * @param behindWarning   records behind on any link that warn
 * @param behindCritical  ... that are critical
 * @param parkedWarning   parked (dead-letter) changes that warn; 0 turns this off
 */
public record StatusCheck(Duration lagWarning, Duration lagCritical, long behindWarning, long behindCritical, long parkedWarning) {

    /** The verdicts, in order of severity except UNKNOWN; the exit status is the ordinal. */
    public enum Verdict {
        OK,
        WARNING,
        CRITICAL,
        UNKNOWN;

        Verdict worse(Verdict other) {
            return other.ordinal() > ordinal() ? other : this;
        }
    }

    /** A verdict and the findings behind it, worst first. */
    public record Result(Verdict verdict, List<String> findings) {

        public Result {
            findings = List.copyOf(findings);
        }

        /** One line: {@code SYNCLINE CRITICAL - dc-b: link from dc-a FAILED: ...; ...}. */
        public String summary(String node) {
            return "SYNCLINE " + verdict + " - " + node + ": "
                    + (findings.isEmpty() ? "every link streams" : String.join("; ", findings));
        }
    }

    public StatusCheck {
        if (lagCritical.compareTo(lagWarning) < 0 || behindCritical < behindWarning) {
            throw new IllegalArgumentException("a critical threshold is below its warning threshold");
        }
    }

    public Result judge(StatusReport report) {
        List<String> critical = new ArrayList<>();
        List<String> warning = new ArrayList<>();
        if (!"RUNNING".equals(report.capture().state())) {
            critical.add("capture " + report.capture().state());
        }
        if (!report.ready()) {
            critical.add("not ready: " + String.join(", ", report.notReady()));
        }
        if (report.links().isEmpty() && !report.origins().isEmpty()) {
            critical.add("no link runs");
        }
        for (StatusReport.Link link : report.links()) {
            String what = "link from " + link.upstream() + " " + link.state() + (link.reason() == null ? "" : ": " + link.reason());
            switch (link.state()) {
                case "STREAMING":
                    break;
                case "STARTING":
                case "RETRYING":
                    warning.add(what);
                    break;
                default:
                    critical.add(what);
            }
            if (link.recordsBehind() != null) {
                String behind = "link from " + link.upstream() + " " + link.recordsBehind() + " record(s) behind";
                if (link.recordsBehind() >= behindCritical) {
                    critical.add(behind);
                } else if (link.recordsBehind() >= behindWarning) {
                    warning.add(behind);
                }
            }
        }
        for (StatusReport.Origin origin : report.origins()) {
            String lag = "lag from " + origin.origin() + " p99 " + origin.lagP99Ms() + " ms";
            if (origin.lagP99Ms() >= lagCritical.toMillis()) {
                critical.add(lag);
            } else if (origin.lagP99Ms() >= lagWarning.toMillis()) {
                warning.add(lag);
            }
            if (Boolean.FALSE.equals(origin.alive())) {
                warning.add(origin.origin() + " down (no heartbeat for " + Math.round(origin.heartbeatAgeS()) + " s)");
            }
        }
        if (parkedWarning > 0 && report.parked() != null && report.parked() >= parkedWarning) {
            warning.add(report.parked() + " parked change(s) (syncline conflicts retry)");
        }
        List<String> findings = new ArrayList<>(critical);
        findings.addAll(warning);
        Verdict verdict = !critical.isEmpty() ? Verdict.CRITICAL : !warning.isEmpty() ? Verdict.WARNING : Verdict.OK;
        return new Result(verdict, findings);
    }
}
