package io.syncline.lab.live;

import io.syncline.node.runtime.SynclineNode;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What a long command ({@code demo}, {@code bench}) is doing now, told to whoever shows it (the
 * live view on a terminal). Implementations are thread-safe.
 */
public interface Progress {

    /** Tells nobody. */
    Progress NONE = new Progress() {};

    /**
     * A new phase began.
     *
     * @param name   what the command does now, e.g. "writing"
     * @param length how long the phase is planned to take, or {@code null} when it ends on a condition
     */
    default void phase(String name, Duration length) {}

    /** The datacenters run: their figures can be read from now on, until the command ends. */
    default void running(List<DataCenter> dataCenters) {}

    /** A finished step's outcome, e.g. {@code native updates: 151,000 rows/s}; shown from now on. */
    default void result(String line) {}

    /**
     * One datacenter as the live view reads it.
     *
     * @param name    the datacenter's node id
     * @param node    its running node
     * @param written how many rows its workload has written so far
     */
    record DataCenter(String name, SynclineNode node, LongSupplier written) {}
}
