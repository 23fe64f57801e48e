package io.syncline.node.monitor;

import io.syncline.connector.LocalCapture;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.node.metrics.CatchUpEstimate;
import io.syncline.node.metrics.RecentLag;
import io.syncline.node.metrics.ReplicationMeters;
import io.syncline.node.runtime.LinkStatus;
import io.syncline.node.runtime.NodeStatus;
import io.syncline.node.runtime.SynclineNode;
import io.syncline.topology.LivenessTracker.PeerLiveness;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Builds the {@link StatusReport} of a running node from its status, its meters and the latest sample. */
final class StatusReports {

    private StatusReports() {}

    static StatusReport of(SynclineNode node, List<String> topologyNodes, NodeSample sample, Clock clock) {
        NodeStatus status = node.status();
        LocalCapture capture = node.capture();
        String captureState = capture == null ? LocalCapture.State.CREATED.name() : capture.state().name();
        List<String> notReady = Readiness.problems(node, sample, clock);
        List<StatusReport.Link> links = new ArrayList<>();
        long conflicts = 0;
        for (LinkStatus link : status.links()) {
            NodeSample.LinkFacts facts = sample.links().get(link.upstream());
            boolean streaming = link.state() == LinkStatus.State.STREAMING;
            CatchUpEstimate.Estimate catchUp = facts == null ? CatchUpEstimate.Estimate.UNKNOWN : facts.catchUp();
            links.add(new StatusReport.Link(link.upstream(), link.role(), link.state().name(), streaming ? null : link.lastError(),
                    facts == null ? null : boxed(facts.recordsBehind()),
                    facts == null || Double.isNaN(facts.bytesBehind()) ? null : (long) facts.bytesBehind(), catchUp.trend().name(),
                    Double.isFinite(catchUp.seconds()) ? Math.round(catchUp.seconds() * 10) / 10.0 : null,
                    link.appliedRows(), link.appliedTransactions(),
                    facts == null ? 0 : Math.round(facts.appliedRowsPerSecond() * 10) / 10.0, link.conflicts(), link.lastError(),
                    link.quarantined()));
        }
        for (LinkStatus link : node.allLinks()) {
            conflicts += link.conflicts();
        }
        Map<String, ReplicationMeters.OriginLag> lags = node.meters().origins();
        List<StatusReport.Origin> origins = new ArrayList<>();
        for (String origin : topologyNodes) {
            if (origin.equals(node.nodeId())) {
                continue;
            }
            ReplicationMeters.OriginLag lag = lags.get(origin);
            RecentLag.Snapshot recent = lag == null ? new RecentLag.Snapshot(0, 0, 0, 0) : lag.recent();
            Double lastAppliedAge = lag == null || lag.lastAppliedCommitMillis().isEmpty() ? null
                    : Math.max(0, clock.millis() - lag.lastAppliedCommitMillis().getAsLong()) / 1000.0;
            Optional<PeerLiveness> peer = status.peers().stream().filter(p -> p.peer().equals(origin)).findFirst();
            origins.add(new StatusReport.Origin(origin, recent.count(), recent.p50Millis(), recent.p99Millis(), recent.maxMillis(),
                    lastAppliedAge, peer.map(p -> p.silentFor().toMillis() / 1000.0).orElse(null),
                    peer.map(PeerLiveness::alive).orElse(null)));
        }
        return new StatusReport(node.nodeId(), node.state().name(), notReady.isEmpty(), notReady, status.routes(),
                List.copyOf(status.down()), new StatusReport.Capture(captureState, ReplicationSchema.slotName(node.nodeId()),
                        capture == null ? 0 : capture.publishedTransactions(), boxed(sample.walRetained()), boxed(sample.walPending())),
                links, origins, conflicts, boxed(sample.deadLetter()),
                Duration.between(sample.at(), clock.instant()).toMillis() / 1000.0, node.tablesNotInConfig(), node.membership());
    }

    private static Long boxed(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : null;
    }
}
