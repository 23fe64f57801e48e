package io.syncline.node.demo;

import io.syncline.node.runtime.SynclineNode;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What the demo is doing now, told to whoever shows it (the live view on a terminal).
 * Implementations are thread-safe; the demo calls them from its own thread.
 */
public interface DemoProgress {

    /** Tells nobody. */
    DemoProgress NONE = new DemoProgress() {};

    /**
     * A new phase began.
     *
     * @param name   what the demo does now, e.g. "writing"
     * @param length how long the phase is planned to take, or {@code null} when it ends on a condition
     */
    default void phase(String name, Duration length) {}

    /** The datacenters run: their figures can be read from now on, until the demo ends. */
    default void running(List<DataCenter> dataCenters) {}

    /**
     * One datacenter as the live view reads it.
     *
     * @param name    the datacenter's node id
     * @param node    its running node
     * @param written how many rows its workload has written so far
     */
    record DataCenter(String name, SynclineNode node, LongSupplier written) {}
}
