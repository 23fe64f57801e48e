package io.syncline.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.connector.ReceivedTransaction;
import io.syncline.core.event.ChainLink;
import io.syncline.core.event.Operation;
import io.syncline.core.event.OriginIdentity;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.TransactionChunk;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChunkSequencesTest {

    private static final ChainLink LINK_A = new ChainLink(new OriginIdentity(1, 1), 100);
    private static final ChainLink LINK_C = new ChainLink(new OriginIdentity(3, 1), 700);

    private final ChunkSequences sequences = new ChunkSequences();

    private static ReceivedTransaction chunk(String origin, ChainLink link, long txId, int index, boolean last, long offset) {
        return new ReceivedTransaction(null, new TransactionChunk(origin, txId, 5, link, index, last,
                last ? 1000 + txId : TransactionChunk.UNKNOWN_POSITION, List.of(origin), List.of()), new byte[0], offset);
    }

    private static ReceivedTransaction whole(String origin, long offset) {
        RowChange change = new RowChange("public.t", Operation.INSERT, Map.of("id", "1"), null, Map.of("id", "1"), Set.of(),
                RowVersion.INITIAL);
        return new ReceivedTransaction(new SourceTransaction(origin, 50 + offset, 5, 9, List.of(origin), List.of(change)),
                new byte[0], offset);
    }

    @Test
    void aTransactionIsOpenFromItsFirstChunkToItsLast() {
        assertThat(sequences.accept(chunk("dc-a", LINK_A, 7, 0, false, 10)))
                .isEqualTo(new ChunkSequences.Step(ChunkSequences.Kind.FIRST, 10, -1));
        assertThat(sequences.idle()).isFalse();
        assertThat(sequences.accept(chunk("dc-a", LINK_A, 7, 1, false, 11)).kind()).isEqualTo(ChunkSequences.Kind.NEXT);
        assertThat(sequences.accept(chunk("dc-a", LINK_A, 7, 2, true, 12)))
                .isEqualTo(new ChunkSequences.Step(ChunkSequences.Kind.NEXT, 10, -1));
        assertThat(sequences.idle()).isTrue();
    }

    @Test
    void wholeTransactionsOfOtherOriginsBetweenTheChunksLeaveItOpen() {
        sequences.accept(chunk("dc-a", LINK_A, 7, 0, false, 10));
        assertThat(sequences.accept(whole("dc-c", 11))).isEqualTo(new ChunkSequences.Step(ChunkSequences.Kind.WHOLE, -1, -1));
        assertThat(sequences.idle()).isFalse();
        sequences.accept(chunk("dc-c", LINK_C, 8, 0, false, 12));
        sequences.accept(chunk("dc-a", LINK_A, 7, 1, true, 13));
        // dc-c's transaction is still half read.
        assertThat(sequences.idle()).isFalse();
        assertThat(sequences.describeOpen()).contains("transaction 8 of dc-c from offset 12");
        assertThat(sequences.accept(chunk("dc-c", LINK_C, 8, 1, true, 14)).firstOffset()).isEqualTo(12);
        assertThat(sequences.idle()).isTrue();
    }

    @Test
    void aFirstChunkAgainAbandonsTheHalfReadCopy() {
        sequences.accept(chunk("dc-a", LINK_A, 7, 0, false, 10));
        sequences.accept(chunk("dc-a", LINK_A, 7, 1, false, 11));

        assertThat(sequences.accept(chunk("dc-a", LINK_A, 7, 0, false, 20)))
                .isEqualTo(new ChunkSequences.Step(ChunkSequences.Kind.FIRST, 20, 10));
        assertThat(sequences.accept(chunk("dc-a", LINK_A, 7, 1, true, 21)).firstOffset()).isEqualTo(20);
        assertThat(sequences.idle()).isTrue();
    }

    @Test
    void aWholeTransactionOfTheSameOriginAbandonsTheOpenOne() {
        sequences.accept(chunk("dc-a", LINK_A, 7, 0, false, 10));

        assertThat(sequences.accept(whole("dc-a", 11)).abandoned()).isEqualTo(10);
        assertThat(sequences.idle()).isTrue();
    }

    @Test
    void aChunkThatContinuesNothingIsStray() {
        assertThat(sequences.accept(chunk("dc-a", LINK_A, 7, 3, false, 10)).kind()).isEqualTo(ChunkSequences.Kind.STRAY);
        sequences.accept(chunk("dc-a", LINK_A, 7, 0, false, 11));
        // Another transaction, or a chunk out of order: not part of the open one.
        assertThat(sequences.accept(chunk("dc-a", LINK_A, 8, 1, false, 12)).kind()).isEqualTo(ChunkSequences.Kind.STRAY);
        assertThat(sequences.accept(chunk("dc-a", LINK_A, 7, 2, false, 13)).kind()).isEqualTo(ChunkSequences.Kind.STRAY);
        assertThat(sequences.accept(chunk("dc-a", LINK_A, 7, 1, false, 14)).kind()).isEqualTo(ChunkSequences.Kind.NEXT);
    }
}
