package io.syncline.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.syncline.core.event.ChainLink;
import io.syncline.core.event.Operation;
import io.syncline.core.event.OriginIdentity;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.TransactionChunk;
import io.syncline.core.event.VersionVector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransactionChunkCodecTest {

    private static final ChainLink LINK = new ChainLink(new OriginIdentity(-7_312_345_678_901_234_567L, 2), 0x1_0000_0000L);

    @Test
    void aMiddleChunkRoundTripsWithoutAPosition() {
        TransactionChunk chunk = chunk(4, false, TransactionChunk.UNKNOWN_POSITION, 3);

        byte[] body = TransactionCodec.encodeChunk(chunk);

        assertThat(TransactionCodec.isChunk(body)).isTrue();
        assertThat(TransactionCodec.decodeChunk(body, List.of("dc-a", "dc-b"))).isEqualTo(chunk.forwardedBy("dc-b"));
    }

    @Test
    void theLastChunkCarriesTheCommitPosition() {
        TransactionChunk chunk = chunk(7, true, 0x2_0000_0010L, 2);

        TransactionChunk decoded = TransactionCodec.decodeChunk(TransactionCodec.encodeChunk(chunk), List.of("dc-a"));

        assertThat(decoded).isEqualTo(chunk);
        assertThat(decoded.asTransaction(decoded.originPosition()).chain()).isEqualTo(LINK);
        assertThat(decoded.asTransaction(decoded.originPosition()).originPosition()).isEqualTo(0x2_0000_0010L);
    }

    @Test
    void theHeaderIsReadWithoutTheChanges() {
        TransactionChunk chunk = chunk(0, false, TransactionChunk.UNKNOWN_POSITION, 500);

        TransactionChunk header = TransactionCodec.decodeChunkHeader(TransactionCodec.encodeChunk(chunk), List.of("dc-a"));

        assertThat(header.changes()).isEmpty();
        assertThat(header.index()).isZero();
        assertThat(header.last()).isFalse();
        assertThat(header.sameTransaction(chunk)).isTrue();
    }

    @Test
    void aWholeTransactionBodyIsNotAChunk() {
        byte[] whole = TransactionCodec.encodeBody(chunk(0, true, 99, 1).asTransaction(99));

        assertThat(TransactionCodec.isChunk(whole)).isFalse();
        assertThatThrownBy(() -> TransactionCodec.decodeChunk(whole, List.of("dc-a"))).isInstanceOf(MalformedEventException.class);
    }

    /** What a node that reads formats 1 and 2 only does with a chunk: it names the version and says to upgrade. */
    @Test
    void aReaderOfWholeTransactionsRefusesAChunkNamingItsVersion() {
        byte[] body = TransactionCodec.encodeChunk(chunk(0, false, TransactionChunk.UNKNOWN_POSITION, 1));

        assertThatThrownBy(() -> TransactionCodec.decode(body, List.of("dc-a")))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("unsupported body format version 3")
                .hasMessageContaining("upgrade the node");
    }

    @Test
    void aTruncatedChunkIsRejected() {
        byte[] body = TransactionCodec.encodeChunk(chunk(1, true, 1234, 3));
        for (int length = 2; length < body.length; length += 7) {
            byte[] cut = Arrays.copyOf(body, length);
            assertThatThrownBy(() -> TransactionCodec.decodeChunk(cut, List.of("dc-a"))).isInstanceOf(MalformedEventException.class);
        }
    }

    @Test
    void onlyTheLastChunkCarriesAPosition() {
        assertThatThrownBy(() -> chunk(0, false, 77, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> chunk(0, true, TransactionChunk.UNKNOWN_POSITION, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static TransactionChunk chunk(int index, boolean last, long position, int rows) {
        List<RowChange> changes = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            changes.add(new RowChange("public.big", Operation.UPDATE, Map.of("id", Integer.toString(index * 1000 + i)), null,
                    Map.of("id", Integer.toString(index * 1000 + i), "n", "n" + i), Set.of(),
                    new RowVersion(new RowClock(99L << 16, "dc-a"), VersionVector.of(Map.of("dc-a", 5L + i))),
                    io.syncline.core.event.RowMetadata.EMPTY, Map.of("id", "integer", "n", "text")));
        }
        return new TransactionChunk("dc-a", 4_000_000_000L, 1_700_000_000_123_456L, LINK, index, last, position, List.of("dc-a"),
                changes);
    }
}
