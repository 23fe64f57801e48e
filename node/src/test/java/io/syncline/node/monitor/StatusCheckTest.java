package io.syncline.node.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusCheckTest {

    private final StatusCheck check = new StatusCheck(Duration.ofSeconds(30), Duration.ofMinutes(5), 10_000, 1_000_000, 1);

    @Test
    void everyLinkStreamingIsOk() {
        StatusCheck.Result result = check.judge(report(link("dc-a", "STREAMING", 0L), link("dc-c", "STREAMING", 12L)));
        assertThat(result.verdict()).isEqualTo(StatusCheck.Verdict.OK);
        assertThat(result.summary("dc-b")).isEqualTo("SYNCLINE OK - dc-b: every link streams");
    }

    @Test
    void aRetryingLinkWarnsAndAFailedOneIsCritical() {
        assertThat(check.judge(report(link("dc-a", "RETRYING", 0L))).verdict()).isEqualTo(StatusCheck.Verdict.WARNING);
        StatusCheck.Result failed = check.judge(report(link("dc-a", "RETRYING", 0L), link("dc-c", "FAILED", null)));
        assertThat(failed.verdict()).isEqualTo(StatusCheck.Verdict.CRITICAL);
        assertThat(failed.findings()).first().asString().isEqualTo("link from dc-c FAILED: column it.t.x does not exist");
    }

    @Test
    void aLinkStreamingWithQuarantinedRecordsIsCritical() {
        StatusReport.Link rejected = new StatusReport.Link("dc-a", "configured", "REJECTED",
                "record at offset 5 of syncline.outbox.dc-a (origin dc-x) quarantined", 0L, 0L,
                "CAUGHT_UP", 0.0, 10, 2, 1.5, 0, null, 3);

        StatusCheck.Result result = check.judge(report(rejected));

        assertThat(result.verdict()).isEqualTo(StatusCheck.Verdict.CRITICAL);
        assertThat(result.findings()).first().asString().contains("REJECTED", "quarantined");
    }

    @Test
    void aLinkStateThisCheckDoesNotKnowIsCritical() {
        assertThat(check.judge(report(link("dc-a", "PARKED_SOMEHOW", 0L))).verdict()).isEqualTo(StatusCheck.Verdict.CRITICAL);
    }

    @Test
    void recordsBehindAndLagAreJudgedByTheirThresholds() {
        assertThat(check.judge(report(link("dc-a", "STREAMING", 10_000L))).verdict()).isEqualTo(StatusCheck.Verdict.WARNING);
        assertThat(check.judge(report(link("dc-a", "STREAMING", 1_000_000L))).verdict()).isEqualTo(StatusCheck.Verdict.CRITICAL);
        StatusReport lagging = withOrigin(report(link("dc-a", "STREAMING", 0L)), 31_000);
        assertThat(check.judge(lagging).verdict()).isEqualTo(StatusCheck.Verdict.WARNING);
        assertThat(check.judge(withOrigin(report(link("dc-a", "STREAMING", 0L)), 300_000)).verdict())
                .isEqualTo(StatusCheck.Verdict.CRITICAL);
    }

    @Test
    void theReportSurvivesItsJsonRoundTrip() throws Exception {
        StatusReport report = withOrigin(report(link("dc-a", "FAILED", 3L)), 1234);
        String json = StatusReport.json().writeValueAsString(report);
        assertThat(json).contains("\"records_behind\":3", "\"bytes_behind\":900", "\"catchup_seconds\":12.5",
                "\"lag_p99_ms\":1234", "\"not_ready\":[]");
        assertThat(StatusReport.json().readValue(json, StatusReport.class)).isEqualTo(report);
    }

    private static StatusReport.Link link(String upstream, String state, Long behind) {
        return new StatusReport.Link(upstream, "configured", state, state.equals("STREAMING") ? null
                : state.equals("FAILED") ? "column it.t.x does not exist" : null, behind, behind == null ? null : behind * 300,
                "CATCHING_UP", 12.5, 10, 2, 1.5, 0, null, 0);
    }

    private static StatusReport report(StatusReport.Link... links) {
        return new StatusReport("dc-b", "RUNNING", true, List.of(), "reading dc-a", List.of(),
                new StatusReport.Capture("RUNNING", "syncline_dc_b", 5, 100L, 0L), List.of(links), List.of(), 0, 0L, 0.5, List.of(),
                "active");
    }

    private static StatusReport withOrigin(StatusReport r, long p99) {
        return new StatusReport(r.node(), r.state(), r.ready(), r.notReady(), r.routes(), r.down(), r.capture(), r.links(),
                List.of(new StatusReport.Origin("dc-a", 10, p99 / 2, p99, p99, 1.0, 0.2, true)), r.conflicts(), r.parked(),
                r.sampledAgeSeconds(), r.tablesNotInConfig(), r.membership());
    }
}
