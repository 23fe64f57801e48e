package io.syncline.lab.live;

import io.syncline.node.metrics.LagHistogram;
import io.syncline.node.runtime.LinkStatus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The compact live view of {@code demo} and {@code bench} on a terminal: {@link LiveFrame} redrawn in place twice a
 * second (ANSI cursor movement), while the logs go to a file named in the title. Thread-safe.
 */
public final class LiveView implements Progress, AutoCloseable {

    private static final Duration REFRESH = Duration.ofMillis(500);
    /** Snapshots of each node's lag histogram kept for the lag column's window: 10 x 500 ms = 5 s. */
    private static final int LAG_WINDOW_FRAMES = 10;

    private final PrintStream out;
    private final String title;
    private final ScheduledExecutorService timer;
    private final Map<String, Deque<LagHistogram>> lagSnapshots = new TreeMap<>();
    private String phase = "starting";
    private Duration phaseLength;
    private long phaseStartedNanos = System.nanoTime();
    private List<DataCenter> dataCenters = List.of();
    private final List<String> results = new ArrayList<>();
    private int linesOnScreen;
    private boolean closed;

    /**
     * @param title   the first line, e.g. what runs
     * @param logFile where the logs go meanwhile, shown under the title
     */
    public LiveView(PrintStream out, String title, Path logFile) {
        this.out = out;
        this.title = title + "   (logs: " + logFile + ")";
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "syncline-demo-live-view");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Draws the first frame and redraws it until {@link #close()}. */
    public LiveView start() {
        timer.scheduleAtFixedRate(this::redraw, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public synchronized void phase(String name, Duration length) {
        phase = name;
        phaseLength = length;
        phaseStartedNanos = System.nanoTime();
    }

    @Override
    public synchronized void running(List<DataCenter> running) {
        dataCenters = List.copyOf(running);
    }

    @Override
    public synchronized void result(String line) {
        results.add(line);
    }

    private synchronized void redraw() {
        if (closed) {
            return;
        }
        List<String> lines = LiveFrame.lines(title, results, phase, Duration.ofNanos(System.nanoTime() - phaseStartedNanos),
                phaseLength, rows());
        if (linesOnScreen > 0) {
            // Back to the first line of the previous frame, and erase from there down.
            out.print("\033[" + linesOnScreen + "F\033[J");
        }
        lines.forEach(out::println);
        out.flush();
        linesOnScreen = lines.size();
    }

    private List<LiveFrame.Row> rows() {
        List<LiveFrame.Row> rows = new ArrayList<>();
        for (DataCenter dc : dataCenters) {
            List<LinkStatus> links = dc.node().allLinks();
            long applied = links.stream().mapToLong(LinkStatus::appliedRows).sum();
            long conflicts = links.stream().mapToLong(LinkStatus::conflicts).sum();
            rows.add(new LiveFrame.Row(dc.name(), dc.written().getAsLong(), applied, recentLagP99(dc), conflicts,
                    linkStates(dc.node().links())));
        }
        return rows;
    }

    /** The p99 of the lag recorded at {@code dc} over the last {@link #LAG_WINDOW_FRAMES} frames. */
    private long recentLagP99(DataCenter dc) {
        Deque<LagHistogram> snapshots = lagSnapshots.computeIfAbsent(dc.name(), name -> new ArrayDeque<>());
        LagHistogram now = new LagHistogram();
        now.addAll(dc.node().lag());
        long p99 = snapshots.isEmpty() ? 0 : now.since(snapshots.peekFirst()).percentile(99);
        snapshots.addLast(now);
        if (snapshots.size() > LAG_WINDOW_FRAMES) {
            snapshots.removeFirst();
        }
        return p99;
    }

    /** The links' states counted, e.g. {@code 2 streaming} or {@code 1 streaming, 1 retrying}. */
    static String linkStates(List<LinkStatus> links) {
        Map<String, Integer> counts = new TreeMap<>();
        links.forEach(link -> counts.merge(link.state().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        counts.forEach((state, count) -> parts.add(count + " " + state));
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    /** Draws the last frame and stops redrawing; the summary follows below it. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        redraw();
        synchronized (this) {
            closed = true;
        }
    }
}
