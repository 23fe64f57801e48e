package io.syncline.apply.internal;

import io.syncline.conflict.ConflictPolicies;
import io.syncline.conflict.LastWriteWinsStrategy;
import io.syncline.conflict.LocalState;
import io.syncline.conflict.RowDecider;
import io.syncline.core.codec.TransactionCodec;
import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.VersionVector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The applier's per-row work outside the database, on a 100-row source transaction of
 * single-row updates shaped like the bench's: decode the Kafka body, decide every row against a
 * local row it supersedes (and against a concurrent one, the LWW conflict path), and build the
 * text the statements bind. Scores are per row. Run with {@code mvn -Pjmh -pl conflict -am test -DskipTests}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ApplyHotPathBenchmark {

    private static final int ROWS = 100;
    private static final String TABLE = "public.bench";
    private static final Map<String, String> TYPES = Map.of("id", "integer", "v", "integer", "note", "text");

    private final RowDecider decider = new RowDecider(ConflictPolicies.uniform(LastWriteWinsStrategy.INSTANCE), "dc-b");
    private byte[] body;
    private SourceTransaction transaction;
    private LocalState[] before;
    private LocalState[] concurrent;
    private List<Map<String, String>> keys;

    @Setup
    public void setUp() {
        List<RowChange> changes = new ArrayList<>();
        before = new LocalState[ROWS];
        concurrent = new LocalState[ROWS];
        keys = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            Map<String, String> key = Map.of("id", Integer.toString(1000 + i));
            Map<String, String> values = new LinkedHashMap<>();
            values.put("id", key.get("id"));
            values.put("v", Integer.toString(i * 7));
            values.put("note", "row " + i);
            RowVersion local = new RowVersion(new RowClock(100L << 16, "dc-b"), VersionVector.of(Map.of("dc-a", 3L, "dc-b", 5L)));
            RowVersion remote = new RowVersion(new RowClock(200L << 16, "dc-a"), VersionVector.of(Map.of("dc-a", 4L, "dc-b", 5L)));
            RowVersion other = new RowVersion(new RowClock(150L << 16, "dc-b"), VersionVector.of(Map.of("dc-a", 3L, "dc-b", 6L)));
            changes.add(new RowChange(TABLE, Operation.UPDATE, key, null, values, null, remote));
            before[i] = LocalState.row(local, values);
            concurrent[i] = LocalState.row(other, values);
            keys.add(key);
        }
        transaction = new SourceTransaction("dc-a", 1L << 32, 1_700_000_000_000_000L, 42, List.of("dc-a"), changes);
        body = TransactionCodec.encodeBody(transaction);
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public SourceTransaction decode() {
        return TransactionCodec.decode(body, List.of("dc-a"));
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public void decideCausallyLater(Blackhole blackhole) {
        List<RowChange> changes = transaction.changes();
        for (int i = 0; i < ROWS; i++) {
            RowChange change = changes.get(i);
            blackhole.consume(decider.decide(TABLE, TYPES, change.key(), before[i], change, "dc-a"));
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public void decideConcurrentLww(Blackhole blackhole) {
        List<RowChange> changes = transaction.changes();
        for (int i = 0; i < ROWS; i++) {
            RowChange change = changes.get(i);
            blackhole.consume(decider.decide(TABLE, TYPES, change.key(), concurrent[i], change, "dc-a"));
        }
    }

    /** The text an update binds besides the row's own values: version vector, metadata, frontier; and the run's key array. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public void bindText(Blackhole blackhole) {
        List<RowChange> changes = transaction.changes();
        for (int i = 0; i < ROWS; i++) {
            RowChange change = changes.get(i);
            blackhole.consume(Json.vector(change.version().vector()));
            blackhole.consume(Json.counters(change.metadata()));
            blackhole.consume(Json.dots(change.metadata()));
            blackhole.consume(Json.frontier(List.of()));
        }
        blackhole.consume(RowSql.keyArray(keys, "id"));
    }

    /** Reading back what the locking query returned: a local row's vector, metadata and frontier from their text. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public void parseLocalText(Blackhole blackhole) {
        for (int i = 0; i < ROWS; i++) {
            blackhole.consume(Json.vector("{\"dc-a\": 3, \"dc-b\": 5}"));
            blackhole.consume(Json.metadata("{}", "{}"));
            blackhole.consume(Json.frontier((String) null));
        }
    }
}
