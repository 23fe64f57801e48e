package io.syncline.apply.internal;

import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.VersionVector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The parallel apply's decision path, per row: a poll of 20 source transactions of 100 single-row
 * updates (the bench's shape) cut into target transactions of 500 rows for four writers, each
 * admitted by a fresh {@link KeySetScheduler}, half of the keys drawn from a hot set of 1000 so that
 * some target transactions depend on earlier ones. Scores are per row.
 * Run with {@code mvn -Pjmh -pl conflict -am test -DskipTests -Djmh.include=KeySetSchedulerBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KeySetSchedulerBenchmark {

    private static final int TRANSACTIONS = 20;
    private static final int ROWS = 100;
    private static final int PER_GROUP = 5;
    private static final RowVersion VERSION = new RowVersion(new RowClock(1, "dc-a"), VersionVector.of(Map.of("dc-a", 1L)));

    private final List<List<SourceTransaction>> groups = new ArrayList<>();

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        List<SourceTransaction> batch = new ArrayList<>();
        for (int t = 0; t < TRANSACTIONS; t++) {
            List<RowChange> changes = new ArrayList<>();
            for (int r = 0; r < ROWS; r++) {
                String id = Integer.toString(random.nextBoolean() ? random.nextInt(1000) : 1000 + random.nextInt(1_000_000));
                changes.add(new RowChange("public.bench", Operation.UPDATE, Map.of("id", id), null,
                        Map.of("id", id, "v", "1", "note", "row " + id), null, VERSION));
            }
            batch.add(new SourceTransaction("dc-a", t + 1, 0, t + 1, List.of("dc-a"), changes));
        }
        for (int from = 0; from < TRANSACTIONS; from += PER_GROUP) {
            groups.add(batch.subList(from, Math.min(TRANSACTIONS, from + PER_GROUP)));
        }
    }

    @Benchmark
    @OperationsPerInvocation(TRANSACTIONS * ROWS)
    public int admitBatch() {
        KeySetScheduler scheduler = new KeySetScheduler();
        int waits = 0;
        for (List<SourceTransaction> group : groups) {
            waits += scheduler.admit(group);
        }
        return waits;
    }
}
