package io.syncline.node.runtime;

import io.syncline.core.schema.ReplicationSchema;
import io.syncline.node.membership.Arrival;
import io.syncline.node.membership.MembershipRecord;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's membership as its status shows it: {@code active}, or {@code catchup: ...} while a
 * node that {@code syncline join} copied reads what was written during the copy. Once every link
 * read that far, records the node as active. Thread-safe: one timer thread calls {@link #check}.
 */
final class MembershipWatch {

    private static final Logger log = LoggerFactory.getLogger(MembershipWatch.class);
    private static final Duration LOG_EVERY = Duration.ofSeconds(10);

    private final String nodeId;
    private final DataSource dataSource;
    private volatile String membership = MembershipRecord.ACTIVE;
    private CatchUp catchUp;
    private long loggedAt;

    MembershipWatch(String nodeId, DataSource dataSource) {
        this.nodeId = nodeId;
        this.dataSource = dataSource;
    }

    /** Reads the node's membership; returns whether it catches up after a join (then {@link #check} has work). */
    boolean start() {
        MembershipRecord record;
        try (Connection connection = dataSource.getConnection()) {
            record = MembershipRecord.read(connection, nodeId);
        } catch (SQLException e) {
            log.warn("[{}] cannot read this node's membership ({}); taking it as active: {}", nodeId,
                    ReplicationSchema.MEMBERSHIP_TABLE, e.getMessage());
            return false;
        }
        if (!MembershipRecord.CATCHUP.equals(record.state())) {
            return false;
        }
        catchUp = new CatchUp(record.catchupTo());
        membership = MembershipRecord.CATCHUP;
        log.info("[{}] CATCHUP after syncline join from {}: reading what was written during the copy, up to {};"
                + " let the application write here once the node is ACTIVE", nodeId, record.joinedFrom(), record.catchupTo());
        loggedAt = System.nanoTime();
        return true;
    }

    /** Compares the links' read offsets with the copy's; marks the node active once every link reached its own. */
    void check(Function<String, LinkStatus> links) {
        if (catchUp == null) {
            return;
        }
        long now = System.nanoTime();
        CatchUp.Progress progress = catchUp.check(links, now);
        if (!progress.done()) {
            membership = MembershipRecord.CATCHUP + ": " + progress.describe();
            if (now - loggedAt >= LOG_EVERY.toNanos()) {
                loggedAt = now;
                log.info("[{}] CATCHUP: {}", nodeId, progress.describe());
            }
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            Arrival.activate(connection, nodeId);
        } catch (SQLException e) {
            log.warn("[{}] caught up, but cannot record it in {} ({}); trying again", nodeId,
                    ReplicationSchema.MEMBERSHIP_TABLE, e.getMessage());
            return;
        }
        catchUp = null;
        membership = MembershipRecord.ACTIVE;
        log.info("[{}] ACTIVE: caught up with every upstream after syncline join; the application may write here", nodeId);
    }

    /** {@code active}, or {@code catchup: <records left and estimate>}. */
    String membership() {
        return membership;
    }
}
