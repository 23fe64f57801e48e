package io.syncline.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.apply.internal.ChainCheck.Applied;
import io.syncline.apply.internal.ChainCheck.Kind;
import io.syncline.core.event.ChainLink;
import io.syncline.core.event.Operation;
import io.syncline.core.event.OriginIdentity;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChainCheckTest {

    private static final OriginIdentity A1 = new OriginIdentity(7_000_000_000_000_000_001L, 1);
    private static final OriginIdentity A2 = new OriginIdentity(7_000_000_000_000_000_001L, 2);
    private static final OriginIdentity REBUILT = new OriginIdentity(7_000_000_000_000_000_999L, 1);

    @Test
    void firstTransactionEverReceivedStartsTheChain() {
        assertThat(ChainCheck.check(Applied.NOTHING, tx(100, A1, ChainLink.NONE)).kind()).isEqualTo(Kind.APPLY);
    }

    @Test
    void successorOfTheLastAppliedIsApplied() {
        Applied applied = Applied.NOTHING.after(tx(100, A1, ChainLink.NONE));
        assertThat(ChainCheck.check(applied, tx(250, A1, 100)).kind()).isEqualTo(Kind.APPLY);
    }

    @Test
    void missingPredecessorIsAGapNamingBothPositions() {
        Applied applied = Applied.NOTHING.after(tx(100, A1, ChainLink.NONE));
        ChainCheck.Verdict verdict = ChainCheck.check(applied, tx(400, A1, 250));
        assertThat(verdict.kind()).isEqualTo(Kind.MISSING_PREDECESSOR);
        assertThat(verdict.isBreak()).isTrue();
        assertThat(verdict.expected()).isEqualTo(100);
        assertThat(verdict.found()).isEqualTo(250);
    }

    @Test
    void resentTransactionWithTheSamePredecessorIsADuplicate() {
        Applied applied = Applied.NOTHING.after(tx(100, A1, ChainLink.NONE)).after(tx(250, A1, 100));
        assertThat(ChainCheck.check(applied, tx(250, A1, 100)).kind()).isEqualTo(Kind.DUPLICATE);
        assertThat(ChainCheck.check(applied, tx(100, A1, ChainLink.NONE)).kind()).isEqualTo(Kind.DUPLICATE);
    }

    @Test
    void newIdentityOfAKnownOriginIsABreak() {
        Applied applied = Applied.NOTHING.after(tx(100, A1, ChainLink.NONE));
        assertThat(ChainCheck.check(applied, tx(50, REBUILT, ChainLink.NONE)).kind()).isEqualTo(Kind.NEW_IDENTITY);
        assertThat(ChainCheck.check(applied, tx(500, A2, ChainLink.NONE)).kind()).isEqualTo(Kind.NEW_IDENTITY);
    }

    @Test
    void positionAtOrBelowItsOwnPredecessorIsABreak() {
        // A database restored under the same identity: its WAL restarts below what its outbox already holds.
        Applied applied = Applied.NOTHING.after(tx(100, A1, ChainLink.NONE)).after(tx(250, A1, 100));
        ChainCheck.Verdict verdict = ChainCheck.check(applied, tx(120, A1, 250));
        assertThat(verdict.kind()).isEqualTo(Kind.BACKWARDS);
        assertThat(verdict.isBreak()).isTrue();
    }

    @Test
    void chainStartedAgainUnderTheSameIdentityIsABreak() {
        // The outbox was emptied (deleted and created again): the capture starts a chain below what was applied.
        Applied applied = Applied.NOTHING.after(tx(100, A1, ChainLink.NONE)).after(tx(250, A1, 100));
        assertThat(ChainCheck.check(applied, tx(180, A1, ChainLink.NONE)).kind()).isEqualTo(Kind.RESTARTED);
        // ... and above it.
        assertThat(ChainCheck.check(applied, tx(300, A1, ChainLink.NONE)).kind()).isEqualTo(Kind.MISSING_PREDECESSOR);
    }

    @Test
    void transactionOfAnEarlierEpochIsSupersededOnceTheNewEpochIsApplied() {
        Applied applied = Applied.NOTHING.after(tx(900, A2, ChainLink.NONE));
        ChainCheck.Verdict verdict = ChainCheck.check(applied, tx(250, A1, 100));
        assertThat(verdict.kind()).isEqualTo(Kind.SUPERSEDED);
        assertThat(verdict.isBreak()).isFalse();
    }

    @Test
    void firstChainedTransactionContinuesWhatWasAppliedBeforeTheChainExisted() {
        Applied unchained = Applied.NOTHING.after(tx(100, null, 0));
        assertThat(unchained.identity()).isNull();
        assertThat(ChainCheck.check(unchained, tx(250, A1, 100)).kind()).isEqualTo(Kind.APPLY);
        assertThat(ChainCheck.check(unchained, tx(250, A1, 90)).kind()).isEqualTo(Kind.MISSING_PREDECESSOR);
        assertThat(ChainCheck.check(unchained, tx(100, A1, 40)).kind()).isEqualTo(Kind.DUPLICATE);
        assertThat(unchained.after(tx(250, A1, 100))).isEqualTo(new Applied(A1, 250, 250));
    }

    @Test
    void unchainedTransactionsAreCheckedByPositionOnly() {
        Applied applied = Applied.NOTHING.after(tx(100, A1, ChainLink.NONE));
        assertThat(ChainCheck.check(applied, tx(100, null, 0)).kind()).isEqualTo(Kind.DUPLICATE);
        assertThat(ChainCheck.check(applied, tx(300, null, 0)).kind()).isEqualTo(Kind.APPLY);
    }

    @Test
    void chainStartIsKeptAlongTheChainAndMovesWithANewIdentity() {
        Applied applied = Applied.NOTHING.after(tx(100, A1, ChainLink.NONE)).after(tx(250, A1, 100));
        assertThat(applied).isEqualTo(new Applied(A1, 250, 100));
        assertThat(applied.after(tx(40, A2, ChainLink.NONE))).isEqualTo(new Applied(A2, 40, 40));
    }

    private static SourceTransaction tx(long position, OriginIdentity identity, long previous) {
        RowChange change = new RowChange("public.t", Operation.INSERT, Map.of("id", "1"), null, Map.of("id", "1"), Set.of(),
                RowVersion.INITIAL);
        SourceTransaction tx = new SourceTransaction("dc-a", position, 1, 1, List.of("dc-a"), List.of(change));
        return identity == null ? tx : tx.withChain(new ChainLink(identity, previous));
    }
}
