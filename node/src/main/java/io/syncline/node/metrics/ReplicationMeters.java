package io.syncline.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.syncline.conflict.ResolvedConflict;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a node's appliers did, recorded as they do it: end-to-end lag per origin (into the
 * Prometheus histogram, a recent window for status, and the since-start {@link LagHistogram}
 * of the demo and bench), the newest applied origin commit per origin, and conflicts by table,
 * type and resolution. Owns the node's {@link PrometheusMeterRegistry}. Thread-safe.
 */
public final class ReplicationMeters {

    /** Histogram buckets of the lag: fine below a second, coarse up to 10 min (larger counts in +Inf). */
    private static final Duration[] LAG_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
        Duration.ofMinutes(5), Duration.ofMinutes(10)};

    /** Histogram buckets of the target transactions' sizes, in row changes, up to the default limit. */
    private static final double[] TARGET_TRANSACTION_ROWS = {1, 4, 16, 64, 256, 1024, 5000};

    /** The lag of one origin's changes as this node applies them. */
    public record OriginLag(RecentLag.Snapshot recent, OptionalLong lastAppliedCommitMillis) {}

    private static final class Origin {
        final Timer lag;
        final RecentLag recent;
        final AtomicLong lastCommitMillis = new AtomicLong(Long.MIN_VALUE);

        Origin(Timer lag, RecentLag recent) {
            this.lag = lag;
            this.recent = recent;
        }
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Clock clock;
    private final LagHistogram sinceStart = new LagHistogram();
    private final ConcurrentMap<String, Origin> origins = new ConcurrentHashMap<>();
    private final Counter parked;

    public ReplicationMeters(Clock clock) {
        this.clock = clock;
        this.parked = Counter.builder("syncline.parked.changes")
                .description("Row changes this process parked in syncline.dead_letter (see syncline conflicts retry)")
                .register(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * One source transaction of {@code origin} applied here for the first time.
     *
     * @param originCommitMillis its commit time at the origin (epoch milliseconds)
     * @param appliedMillis      when it committed here (epoch milliseconds)
     */
    public void applied(String origin, long originCommitMillis, long appliedMillis) {
        Origin o = origins.computeIfAbsent(origin, this::newOrigin);
        long lagMillis = Math.max(0, appliedMillis - originCommitMillis);
        o.lag.record(lagMillis, TimeUnit.MILLISECONDS);
        o.recent.record(lagMillis);
        o.lastCommitMillis.accumulateAndGet(originCommitMillis, Math::max);
        sinceStart.record(lagMillis);
    }

    private Origin newOrigin(String origin) {
        Timer lag = Timer.builder("syncline.replication.lag")
                .description("End-to-end lag: origin commit to commit here, across every hop")
                .tag("origin", origin)
                .serviceLevelObjectives(LAG_BUCKETS)
                .register(registry);
        return new Origin(lag, new RecentLag(Duration.ofSeconds(10), 7, clock::millis));
    }

    /** One committed conflict resolution. */
    public void conflictResolved(ResolvedConflict conflict) {
        Counter.builder("syncline.conflicts")
                .description("Conflicts resolved and committed here (each is in syncline.conflict_log)")
                .tag("table", conflict.table())
                .tag("type", conflict.type().logName())
                .tag("resolution", conflict.winner().logName())
                .register(registry)
                .increment();
    }

    /**
     * A target transaction of the link from {@code upstream} gave up waiting for a row lock the
     * application held, after {@code waited}, to be applied again in smaller ones.
     */
    public void lockWaited(String upstream, Duration waited) {
        Timer.builder("syncline.apply.lock.wait")
                .description("Time target transactions of this link spent before they gave up waiting for a row lock (the"
                        + " application's or another link's) and were applied again in smaller ones")
                .tag("upstream", upstream)
                .register(registry)
                .record(waited);
    }

    /** One committed target transaction of the link from {@code upstream}, of {@code rows} row changes. */
    public void targetTransactionCommitted(String upstream, long rows) {
        DistributionSummary.builder("syncline.apply.target.transaction.rows")
                .description("Row changes per committed target transaction of this link: every row stays locked until it"
                        + " commits")
                .serviceLevelObjectives(TARGET_TRANSACTION_ROWS)
                .tag("upstream", upstream)
                .register(registry)
                .record(rows);
    }

    /** One row change parked in {@code syncline.dead_letter}. */
    public void changeParked() {
        parked.increment();
    }

    /** Every origin this node applied changes of, by id. */
    public Map<String, OriginLag> origins() {
        Map<String, OriginLag> result = new TreeMap<>();
        origins.forEach((id, o) -> {
            long last = o.lastCommitMillis.get();
            result.put(id, new OriginLag(o.recent.snapshot(), last == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(last)));
        });
        return result;
    }

    /** Every lag sample since the node started (the demo's and bench's figures). */
    public LagHistogram sinceStart() {
        return sinceStart;
    }
}
