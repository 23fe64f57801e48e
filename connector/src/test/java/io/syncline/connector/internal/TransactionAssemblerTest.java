package io.syncline.connector.internal;

import static io.syncline.connector.internal.Events.begin;
import static io.syncline.connector.internal.Events.end;
import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.event.Operation;
import io.syncline.core.event.SourceTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class TransactionAssemblerTest {

    private final TransactionAssembler assembler = new TransactionAssembler(Events.NODE, Events.TX_TOPIC,
            new ChangeConverter(Events.NODE, Map.of("public.t", List.of("id")), ChangeConverter.DEFAULT_UNAVAILABLE_PLACEHOLDER));

    private static SourceRecord insert(long txId, long id, String origin) {
        Struct key = Events.row(Map.of("id", Schema.INT64_SCHEMA), Map.of("id", id));
        Struct after = Events.versioned(Map.of("id", Schema.INT64_SCHEMA), Map.of("id", id), 1L << 16, "dc-a", "{\"dc-a\": 1}");
        return Events.change("public.t", "c", key, after, txId, origin);
    }

    private List<TransactionAssembler.Completed> feed(SourceRecord... records) {
        List<TransactionAssembler.Completed> out = new ArrayList<>();
        for (SourceRecord r : records) {
            assembler.accept(r).ifPresent(out::add);
        }
        return out;
    }

    @Test
    void multiRowTransactionIsReleasedWholeAtEndWithTheCommitPosition() {
        assertThat(feed(begin(10, 100), insert(10, 1, null), insert(10, 2, null))).isEmpty();
        assertThat(assembler.idle()).isFalse();
        List<TransactionAssembler.Completed> done = feed(end(10, 180));
        assertThat(assembler.idle()).isTrue();
        SourceTransaction tx = done.get(0).transaction().orElseThrow();
        assertThat(tx.originPosition()).isEqualTo(180);
        assertThat(tx.originTxId()).isEqualTo(10);
        assertThat(tx.path()).containsExactly("dc-a");
        assertThat(tx.commitTimeMicros()).isEqualTo(1_700_000_000_123_456L);
        assertThat(tx.changes()).extracting(c -> c.key().get("id")).containsExactly("1", "2");
        assertThat(tx.changes()).extracting(c -> c.operation()).containsOnly(Operation.INSERT);
    }

    @Test
    void consecutiveTransactionsComeOutInCommitOrder() {
        List<TransactionAssembler.Completed> done = feed(begin(1, 10), insert(1, 1, null), end(1, 20),
                begin(2, 30), insert(2, 2, null), end(2, 40));
        assertThat(done).extracting(TransactionAssembler.Completed::position).containsExactly(20L, 40L);
    }

    @Test
    void interleavedTransactionsAreKeptApart() {
        List<TransactionAssembler.Completed> done = feed(begin(1, 10), insert(1, 1, null), begin(2, 11), insert(2, 2, null),
                insert(1, 3, null), end(1, 20));
        assertThat(assembler.idle()).isFalse();
        done.addAll(feed(end(2, 30)));
        assertThat(done.get(0).transaction().orElseThrow().changes()).extracting(c -> c.key().get("id")).containsExactly("1", "3");
        assertThat(done.get(1).transaction().orElseThrow().changes()).extracting(c -> c.key().get("id")).containsExactly("2");
        assertThat(assembler.idle()).isTrue();
    }

    @Test
    void transactionWithReplicationOriginIsDropped() {
        List<TransactionAssembler.Completed> done = feed(begin(5, 10), insert(5, 1, "syncline_from_dc_b"), insert(5, 2, "syncline_from_dc_b"),
                end(5, 20));
        assertThat(done.get(0).transaction()).isEmpty();
        assertThat(done.get(0).droppedBecause()).isEqualTo(DropReason.WRITTEN_BY_APPLIER);
    }

    @Test
    void transactionWithoutReplicatedRowsIsNotPublished() {
        Struct none = null;
        List<TransactionAssembler.Completed> done = feed(begin(6, 10), Events.change("public.t", "t", null, none, 6, null), end(6, 20));
        assertThat(done.get(0).transaction()).isEmpty();
        assertThat(feed(begin(7, 30), end(7, 40)).get(0).transaction()).isEmpty();
    }

    @Test
    void eventsWithoutBeginAfterRestartStillFormATransaction() {
        Optional<TransactionAssembler.Completed> none = assembler.accept(insert(8, 1, null));
        assertThat(none).isEmpty();
        assertThat(feed(end(8, 50)).get(0).transaction().orElseThrow().changes()).hasSize(1);
    }
}
