package io.syncline.apply;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommitOrderTest {

    private final CommitOrder order = new CommitOrder();

    @Test
    void aTargetTransactionCommitsOnlyAfterAllBeforeIt() throws InterruptedException {
        assertThat(order.awaitTurn(0, 0)).isEqualTo(CommitOrder.Turn.COMMIT);
        assertThat(order.awaitTurn(2, 1)).isEqualTo(CommitOrder.Turn.NOT_YET);

        order.committed(0);
        order.committed(1);

        assertThat(order.awaitTurn(2, 1)).isEqualTo(CommitOrder.Turn.COMMIT);
        assertThat(order.isNext(2)).isTrue();
    }

    @Test
    void afterAFailureTheLaterOnesAbandonAndTheEarlierOnesStillCommit() throws InterruptedException {
        order.failed(2, new RetriableApplyException("lost", null));

        assertThat(order.awaitTurn(3, 1)).isEqualTo(CommitOrder.Turn.ABANDON);
        assertThat(order.awaitCommitted(1, 3)).isFalse();
        assertThat(order.awaitTurn(1, 1)).isEqualTo(CommitOrder.Turn.NOT_YET);
        order.committed(0);
        assertThat(order.awaitTurn(1, 1)).isEqualTo(CommitOrder.Turn.COMMIT);
        assertThat(order.failure()).hasMessage("lost");
    }

    @Test
    void theFirstFailureIsTheOneReported() {
        order.failed(3, new RetriableApplyException("later", null));
        order.failed(1, new RetriableApplyException("earlier", null));

        assertThat(order.failure()).hasMessage("earlier");
    }
}
