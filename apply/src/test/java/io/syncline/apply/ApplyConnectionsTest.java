package io.syncline.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.apply.internal.StatementCache;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

class ApplyConnectionsTest {

    private final ApplyConnections connections = new ApplyConnections(null, null, null, "dc-b", null);

    /** A driver connection that counts the statements prepared on it and the batches cleared. */
    private static final class Physical {
        final AtomicInteger prepared = new AtomicInteger();
        final AtomicInteger batchesCleared = new AtomicInteger();
        final AtomicBoolean closed = new AtomicBoolean();
        final Connection connection = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Connection.class, PGConnection.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "prepareStatement" -> {
                        prepared.incrementAndGet();
                        yield statement();
                    }
                    case "isClosed" -> closed.get();
                    case "isWrapperFor" -> true;
                    case "unwrap" -> proxy;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });

        private PreparedStatement statement() {
            return (PreparedStatement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PreparedStatement.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("clearBatch")) {
                            batchesCleared.incrementAndGet();
                        }
                        return null;
                    });
        }

        /** A pool's proxy of this connection, as each checkout hands out a new one. */
        Connection checkout() {
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "isWrapperFor" -> ((Class<?>) args[0]).isInstance(connection);
                        case "unwrap" -> connection;
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> null;
                    });
        }
    }

    @Test
    void statementsArePreparedOncePerPhysicalConnectionAcrossCheckouts() throws Exception {
        Physical physical = new Physical();
        StatementCache first = connections.statementsOf(physical.checkout());
        first.prepared("SELECT 1");
        StatementCache second = connections.statementsOf(physical.checkout());
        second.prepared("SELECT 1");
        assertThat(second).isSameAs(first);
        assertThat(physical.prepared).hasValue(1);
    }

    @Test
    void aCheckoutForgetsTheBatchesAFailedSessionLeft() throws Exception {
        Physical physical = new Physical();
        connections.statementsOf(physical.checkout()).prepared("INSERT INTO t VALUES (?)");
        connections.statementsOf(physical.checkout());
        assertThat(physical.batchesCleared).hasValue(1);
    }

    @Test
    void theStatementsOfAClosedConnectionAreNotReused() throws Exception {
        Physical physical = new Physical();
        StatementCache before = connections.statementsOf(physical.checkout());
        physical.closed.set(true);
        Physical other = new Physical();
        connections.statementsOf(other.checkout());
        physical.closed.set(false);
        assertThat(connections.statementsOf(physical.checkout())).isNotSameAs(before);
    }
}
