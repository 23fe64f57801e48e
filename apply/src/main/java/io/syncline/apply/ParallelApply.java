package io.syncline.apply;

import io.syncline.apply.internal.ApplySession;
import io.syncline.apply.internal.ChainCheck;
import io.syncline.apply.internal.ParallelPlan;
import io.syncline.core.event.RejectedRecord;
import io.syncline.core.event.SourceTransaction;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a batch with several writers: cuts it into target transactions ({@link ParallelPlan}),
 * runs each on a writer once the earlier ones that share a key with it committed, and commits them
 * in batch order ({@link CommitOrder}). The committed target transactions are therefore always a
 * prefix of the batch, each storing the applied positions it reached as one writer would: after a
 * crash at any moment the link resumes exactly where one writer would have, and nothing is applied
 * twice or skipped.
 *
 * <p>A target transaction whose turn has not come yet only writes rows. Whatever goes wrong there (a
 * refused row, a unique index or foreign key that another writer's rows touch, a lock wait, an
 * earlier target transaction waiting for a row it holds) rolls it back and it is applied again once
 * every target transaction before it committed, on the path of one writer, whose failures, parking
 * and gaps are those of {@link TransactionApplier#apply}. While it waits for its turn it holds its
 * rows, so it also rolls back as soon as any session waits for one of them (see {@code awaitTurn}). Not thread-safe: one link thread calls it.
 */
final class ParallelApply {

    private static final Logger log = LoggerFactory.getLogger(ParallelApply.class);

    /** A target transaction no smaller than this is cut for a writer, so that a small batch is not cut finer. */
    static final int MIN_ROWS_PER_WRITER = 100;
    /** How often a target transaction waiting for its turn checks that no earlier one waits for a row it holds. */
    private static final long BLOCKING_CHECK_MILLIS = 20;
    private static final Duration IDLE_WRITER = Duration.ofSeconds(30);
    // pg_blocking_pids takes the lock manager's locks: asked only of sessions that wait for a lock.
    private static final String BLOCKS_ANYONE = "SELECT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE CASE"
            + " WHEN a.wait_event_type = 'Lock' THEN pg_backend_pid() = ANY (pg_blocking_pids(a.pid)) ELSE false END)";

    private final TransactionApplier applier;
    private final int writers;
    private final ExecutorService pool;
    private final BlockingQueue<Integer> slots;
    private volatile boolean rollbackLogged;

    ParallelApply(TransactionApplier applier, int writers) {
        this.applier = applier;
        this.writers = writers;
        this.slots = new ArrayBlockingQueue<>(writers);
        for (int slot = 0; slot < writers; slot++) {
            slots.add(slot);
        }
        AtomicInteger threads = new AtomicInteger();
        // Idle writers end: a link that stops leaves no thread behind, and a busy one keeps its writers.
        ThreadPoolExecutor executor = new ThreadPoolExecutor(writers, writers, IDLE_WRITER.toSeconds(), TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "syncline-writer-" + applier.localNode + "-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        this.pool = executor;
    }

    /** As {@link TransactionApplier#apply(List, String, long, List)}. */
    ApplyResult apply(List<SourceTransaction> batch, String upstreamNode, long nextKafkaOffset,
            List<RejectedRecord> quarantined) throws ApplyException, RetriableApplyException {
        String prefix = "[" + applier.localNode + " <- " + upstreamNode + "]";
        Optional<ParallelPlan> planned = plan(batch, upstreamNode, prefix);
        if (planned.isEmpty() || planned.get().groups().size() < 2) {
            return applier.serial.apply(batch, upstreamNode, OptionalLong.of(nextKafkaOffset), quarantined,
                    TransactionApplier.writerOrigin(upstreamNode, 0));
        }
        List<ParallelPlan.Group> groups = planned.get().groups();
        CommitOrder order = new CommitOrder();
        ApplyResult[] results = new ApplyResult[groups.size()];
        List<Future<?>> running = new ArrayList<>(groups.size());
        for (int i = 0; i < groups.size(); i++) {
            boolean last = i == groups.size() - 1;
            Writer writer = new Writer(i, groups.get(i), upstreamNode, prefix,
                    last ? OptionalLong.of(nextKafkaOffset) : OptionalLong.empty(), last ? quarantined : List.of(), order,
                    results);
            running.add(pool.submit(writer::run));
        }
        awaitAll(running);
        Exception failure = order.failure();
        if (failure instanceof ApplyException e) {
            throw e;
        }
        if (failure instanceof RetriableApplyException e) {
            throw e;
        }

        ApplyResult total = ApplyResult.EMPTY;
        for (ApplyResult result : results) {
            total = total.plus(result);
        }
        log.debug("{} applied {} transaction(s), {} row(s) in {} target transactions on {} writers", prefix,
                total.appliedTransactions(), total.rowsWritten(), groups.size(), writers);
        return total;
    }

    private Optional<ParallelPlan> plan(List<SourceTransaction> batch, String upstreamNode, String prefix)
            throws ApplyException, RetriableApplyException {
        Set<String> origins = new HashSet<>();
        int rows = 0;
        for (SourceTransaction transaction : batch) {
            origins.add(transaction.originNode());
            rows += transaction.changes().size();
        }
        Map<String, ChainCheck.Applied> applied;
        try (Connection connection = applier.dataSource.getConnection()) {
            applied = ParallelPlan.readApplied(connection, origins);
        } catch (SQLException | RuntimeException e) {
            throw ApplyFailures.of(e, prefix, upstreamNode);
        }
        int perWriter = Math.max(MIN_ROWS_PER_WRITER, (rows + writers - 1) / writers);
        return ParallelPlan.of(batch, applied, applier.localNode, from -> applier.batching.nextCut(batch, from, perWriter));
    }

    /** Waits for every writer of the batch; they end by themselves once one failed. */
    private static void awaitAll(List<Future<?>> running) {
        boolean interrupted = false;
        for (Future<?> future : running) {
            while (true) {
                try {
                    future.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a writer failed unexpectedly", e.getCause());
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One target transaction of the batch, on one writer. */
    private final class Writer {

        private final int index;
        private final ParallelPlan.Group group;
        private final String upstreamNode;
        private final String prefix;
        private final OptionalLong nextKafkaOffset;
        private final List<RejectedRecord> quarantined;
        private final CommitOrder order;
        private final ApplyResult[] results;

        Writer(int index, ParallelPlan.Group group, String upstreamNode, String prefix, OptionalLong nextKafkaOffset,
                List<RejectedRecord> quarantined, CommitOrder order, ApplyResult[] results) {
            this.index = index;
            this.group = group;
            this.upstreamNode = upstreamNode;
            this.prefix = prefix;
            this.nextKafkaOffset = nextKafkaOffset;
            this.quarantined = quarantined;
            this.order = order;
            this.results = results;
        }

        void run() {
            Integer slot = slots.poll();
            if (slot == null) {
                // Never: as many slots as threads.
                order.failed(index, new IllegalStateException("no free writer origin"));
                return;
            }
            String origin = TransactionApplier.writerOrigin(upstreamNode, slot);
            try {
                if (!order.awaitCommitted(group.startAfter(), index)) {
                    return;
                }
                if (!order.isNext(index)) {
                    try {
                        results[index] = ahead(origin);
                        order.committed(index);
                        return;
                    } catch (SQLException | RuntimeException e) {
                        rolledBackAhead(index, e);
                    }
                    if (!order.awaitCommitted(index - 1, index)) {
                        return;
                    }
                }
                results[index] = applier.serial.apply(group.transactions(), upstreamNode, nextKafkaOffset, quarantined,
                        origin);
                order.committed(index);
            } catch (ApplyException | RetriableApplyException e) {
                order.failed(index, e);
            } catch (RuntimeException e) {
                // Recorded like any failure, so that the writers after this one end instead of waiting for its commit.
                order.failed(index, new ApplyException(prefix + " a writer failed unexpectedly on target transaction " + index
                        + " of a batch: " + e + "; the link stops here, nothing after the last commit is applied", null, -1,
                        null, e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                order.failed(index, new RetriableApplyException(prefix + " a writer was interrupted", e));
            } catch (Error e) {
                // Recorded before it goes on up: the writers after this one would otherwise wait for its commit
                // forever, some holding a connection and the rows they wrote ahead of their turn.
                order.failed(index, new ApplyException(prefix + " a writer failed on target transaction " + index
                        + " of a batch: " + e, null, -1, null, e));
                throw e;
            } finally {
                slots.add(slot);
            }
        }

        /**
         * Said once at INFO: when it keeps happening (a unique index on another column that every batch
         * meets, the application holding rows) the writers gain little, and the operator can see why.
         */
        private void rolledBackAhead(int index, Exception e) {
            if (!rollbackLogged) {
                rollbackLogged = true;
                log.info("{} target transaction {} of a batch, applied ahead of its turn by one of {} writers, rolled back ({});"
                        + " it is applied again once those before it committed. Further ones are logged at DEBUG", prefix,
                        index, writers, e.getMessage());
            } else {
                log.debug("{} target transaction {} of the batch rolled back ({}); applying it again in its turn", prefix,
                        index, e.getMessage());
            }
        }

        /** Applies the target transaction before its turn, and commits it in its turn. */
        private ApplyResult ahead(String origin) throws SQLException {
            try (ApplyConnection open = applier.connections.openSession(origin, prefix)) {
                try {
                    ApplySession.Outcome outcome = open.session().applyInTurn(group.transactions(), upstreamNode,
                            nextKafkaOffset, quarantined, group.expected(), () -> awaitTurn(open.connection()));
                    applier.notifyListener(outcome, prefix);
                    return outcome.result();
                } catch (SQLException | RuntimeException e) {
                    open.rollback();
                    throw e;
                }
            }
        }

        /**
         * Waits for the turn with the rows written. A session that waits for one of them may be what
         * the target transactions before this one wait for, directly or through other sessions
         * (the application, another link's writers): a cycle PostgreSQL cannot see, since its last
         * step, this wait, is outside the database. This one then rolls back and lets it through.
         */
        private void awaitTurn(Connection connection) throws SQLException {
            try {
                while (true) {
                    CommitOrder.Turn turn = order.awaitTurn(index, BLOCKING_CHECK_MILLIS);
                    if (turn == CommitOrder.Turn.COMMIT) {
                        return;
                    }
                    if (turn == CommitOrder.Turn.ABANDON) {
                        throw new SQLException("an earlier target transaction of the batch failed");
                    }
                    if (blocksAnyone(connection)) {
                        throw new SQLException("another session waits for a row this one holds while it waits for its turn");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting to commit", e);
            }
        }

        private boolean blocksAnyone(Connection connection) throws SQLException {
            try (Statement check = connection.createStatement(); ResultSet rs = check.executeQuery(BLOCKS_ANYONE)) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
