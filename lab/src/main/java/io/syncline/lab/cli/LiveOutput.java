package io.syncline.lab.cli;

import io.syncline.lab.live.LiveView;
import io.syncline.lab.live.Progress;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * How a long command shows its progress: a live view when a person watches a terminal, with the
 * logs in a file it names; otherwise nothing changes (logs on the console, output as it was), so
 * that scripts and CI see what they always saw.
 */
final class LiveOutput {

    /** The command's work, told of its progress. */
    interface Work<T> {
        T run(Progress progress) throws Exception;
    }

    private LiveOutput() {}

    /** Whether a person watches: a terminal, and neither {@code --json} nor {@code --verbose}. */
    static boolean watched(boolean json, boolean verbose) {
        return System.console() != null && !json && !verbose;
    }

    /**
     * @param logPrefix the start of the log file's name, e.g. {@code syncline-demo-}
     */
    static <T> T run(PrintStream out, boolean watched, String title, String logPrefix, Work<T> work) throws Exception {
        if (!watched) {
            return work.run(Progress.NONE);
        }
        Path logFile = LogFile.redirect(logPrefix);
        try (LiveView view = new LiveView(out, title, logFile).start()) {
            return work.run(view);
        }
    }
}
