package io.syncline.node.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.event.ChainLink;
import io.syncline.core.event.OriginIdentity;
import io.syncline.core.event.TransactionChunk;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CopyFrontierTest {

    private static final OriginIdentity A = new OriginIdentity(7, 2);
    private final CopyFrontier frontier = new CopyFrontier(Map.of("dc-a", new SeedPosition("dc-a", 500, 0, A, 100)));

    @Test
    void theTransactionAfterTheCopysPositionAndEveryLaterOneAreNeeded() {
        assertThat(frontier.needs("dc-a", new ChainLink(A, 500), 600)).isTrue();
        assertThat(frontier.needs("dc-a", new ChainLink(A, 600), 700)).isTrue();
        assertThat(frontier.gap("dc-a", new ChainLink(A, 500))).isNull();
    }

    @Test
    void transactionsUpToTheCopysPositionAreNotNeeded() {
        assertThat(frontier.needs("dc-a", new ChainLink(A, 400), 500)).isFalse();
        assertThat(frontier.needs("dc-a", new ChainLink(A, ChainLink.NONE), 100)).isFalse();
    }

    @Test
    void aChunkIsNeededExactlyWhenItsTransactionIs() {
        assertThat(frontier.needs("dc-a", new ChainLink(A, 500), TransactionChunk.UNKNOWN_POSITION)).isTrue();
        assertThat(frontier.needs("dc-a", new ChainLink(A, 400), TransactionChunk.UNKNOWN_POSITION)).isFalse();
    }

    @Test
    void anEarlierEpochIsNotNeededAndAnotherIdentityIsAGap() {
        assertThat(frontier.needs("dc-a", new ChainLink(new OriginIdentity(7, 1), 900), 1000)).isFalse();
        ChainLink rebuilt = new ChainLink(new OriginIdentity(8, 1), ChainLink.NONE);
        assertThat(frontier.needs("dc-a", rebuilt, 50)).isTrue();
        assertThat(frontier.gap("dc-a", rebuilt)).contains("up to position 500", "follows position -1");
    }

    @Test
    void aFirstNeededTransactionAfterALaterPositionIsAGap() {
        assertThat(frontier.gap("dc-a", new ChainLink(A, 550)))
                .isEqualTo("the copy holds dc-a up to position 500 (" + A + "), and its first later transaction follows position"
                        + " 550 (" + A + ")");
    }

    @Test
    void anOriginTheCopyHoldsNothingOfIsNeededFromTheStartOfItsChain() {
        assertThat(frontier.needs("dc-z", new ChainLink(A, 10), 20)).isTrue();
        assertThat(frontier.gap("dc-z", new ChainLink(A, ChainLink.NONE))).isNull();
        assertThat(frontier.gap("dc-z", new ChainLink(A, 10))).contains("up to position -1");
    }

    @Test
    void withoutAChainOnlyThePositionTells() {
        assertThat(frontier.needs("dc-a", null, 500)).isFalse();
        assertThat(frontier.needs("dc-a", null, 501)).isTrue();
        assertThat(frontier.gap("dc-a", null)).isNull();
    }
}
