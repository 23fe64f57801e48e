package io.syncline.node.monitor;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.util.List;

/**
 * What {@code /status} answers and {@code syncline status} reads: one node's links and every
 * origin as seen from that node. Immutable; serialized as JSON with snake_case names, absent
 * figures as {@code null}.
 *
 * @param node            the node's id
 * @param state           its lifecycle state ({@code RUNNING}, ...)
 * @param ready           whether {@code /readyz} answers 200
 * @param notReady        why not, one sentence per problem
 * @param routes          the links it reads now and why, in words
 * @param down            peers it considers down
 * @param capture         its capture
 * @param links           the links running now
 * @param origins         every other node of the topology, as an origin of changes applied here
 * @param conflicts       conflicts resolved by this process since it started
 * @param parked          rows in {@code syncline.dead_letter} now; null if the database did not answer
 * @param sampledAgeSeconds how old the sample of the database and Kafka figures is
 * @param tablesNotInConfig tables that joined replication through {@code syncline ddl} and that the node's config
 *                          does not name (they replicate with the default conflict policy; add them to {@code tables:})
 * @param membership      {@code active}, or {@code catchup: ...} with the records left while a node that
 *                        {@code syncline join} copied catches up; null from a node older than the join
 */
public record StatusReport(String node, String state, boolean ready, List<String> notReady, String routes, List<String> down,
                           Capture capture, List<Link> links, List<Origin> origins, long conflicts, Long parked,
                           double sampledAgeSeconds, List<String> tablesNotInConfig, String membership) {

    /**
     * @param walRetainedBytes    WAL the slot keeps (current position minus restart_lsn); null if unknown
     * @param walUnconfirmedBytes WAL not confirmed by the capture (current position minus confirmed_flush_lsn); null if unknown
     */
    public record Capture(String state, String slot, long publishedTransactions, Long walRetainedBytes, Long walUnconfirmedBytes) {}

    /**
     * @param state            a {@code LinkStatus.State} name
     * @param reason           why it is not streaming (its last error), null when it streams
     * @param recordsBehind    upstream outbox end offset minus the next offset to apply; null before both are known
     * @param bytesBehind      records behind times the mean bytes per outbox offset the link read; null if unknown
     * @param catchup          {@code CAUGHT_UP}, {@code CATCHING_UP}, {@code NOT_CATCHING_UP} or {@code UNKNOWN}
     *                         (over the last 30 s: whether records behind shrank)
     * @param catchupSeconds   the time to catch up at the recent net pace: 0 when caught up, null unless catching up
     * @param appliedRowsPerS  rows applied per second over the last sampling interval
     * @param quarantined      records read by this link that wait in {@code syncline.quarantine}
     */
    public record Link(String upstream, String role, String state, String reason, Long recordsBehind, Long bytesBehind,
                       String catchup, Double catchupSeconds, long appliedRows, long appliedTransactions, double appliedRowsPerS,
                       long conflicts, String lastError, long quarantined) {}

    /**
     * @param lagSamples        transactions applied in the recent window (60 to 70 s)
     * @param lagP50Ms          end-to-end lag over that window; 0 without samples
     * @param lastAppliedAgeS   now minus the origin commit time of the newest change applied from it; null if none yet
     * @param heartbeatAgeS     how long no new heartbeat of this node was seen here; null if not watched here
     * @param alive             whether this node counts it as alive (heartbeats); null if not watched here
     */
    public record Origin(String origin, long lagSamples, long lagP50Ms, long lagP99Ms, long lagMaxMs, Double lastAppliedAgeS,
                         Double heartbeatAgeS, Boolean alive) {}

    public StatusReport {
        notReady = List.copyOf(notReady);
        down = List.copyOf(down);
        links = List.copyOf(links);
        origins = List.copyOf(origins);
        // Absent in the answer of a node without the field.
        tablesNotInConfig = tablesNotInConfig == null ? List.of() : List.copyOf(tablesNotInConfig);
    }

    /** The JSON mapping of this report, for both ends. Thread-safe once built. */
    public static ObjectMapper json() {
        return new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }
}
