package io.syncline.node.cli;

import io.syncline.node.consistency.KeyDifference;
import io.syncline.node.consistency.TableDiff;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code syncline diff}: compares the replicated tables of two or more nodes, chunk hashes first,
 * then the keys of the chunks that still differ after the changes in flight had time to arrive.
 * Exit status 0 when every table is the same everywhere, 1 when some key differs, 2 on errors.
 */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Compare the replicated tables of two or more nodes and list the keys that differ.")
final class DiffCommand implements Callable<Integer> {

    static final int DIFFERENT = 1;
    static final int ERROR = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    ConsistencyOptions options;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        long differences = options.compareEach("diff", spec.commandLine().getErr(), (peers, report) -> {
            print(out, report);
            return report.differences().size();
        });
        if (differences >= 0) {
            out.printf(differences == 0 ? "no differences%n" : "%,d key(s) differ%n", differences);
        }
        out.flush();
        return differences < 0 ? ERROR : differences == 0 ? 0 : DIFFERENT;
    }

    static void print(PrintWriter out, TableDiff.Report report) {
        out.printf("%s: %,d row(s) in %d chunk(s), %d chunk(s) differ, %d key(s) differ%n", report.table(), report.rows(),
                report.chunks(), report.differing(), report.differences().size());
        for (KeyDifference difference : report.differences()) {
            out.println("  " + difference);
        }
    }
}
