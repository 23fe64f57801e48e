package io.syncline.node.cli;

import io.syncline.node.consistency.Repair;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code syncline repair}: finds the keys that differ (as {@code diff} does) and makes each
 * replicate again with its newest version winning; without {@code --apply} it only says what it
 * would do.
 */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = "Make the keys that differ between nodes replicate again, the newest version winning"
                + " (a dry run unless --apply).")
final class RepairCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConsistencyOptions options;

    @Option(names = "--apply", description = "Carry the repair out (default: only print what would be done).")
    boolean apply;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        long planned = options.compareEach("repair", spec.commandLine().getErr(), (peers, report) -> {
            DiffCommand.print(out, report);
            List<Repair.Action> actions = Repair.plan(peers, report.table(), report.differences());
            actions.forEach(action -> out.println("  " + (apply ? "" : "would ") + action));
            if (apply) {
                Repair.apply(peers, report.table(), actions);
            }
            return actions.size();
        });
        if (planned == 0) {
            out.println("nothing to repair");
        } else if (planned > 0 && apply) {
            out.printf("%d write(s) made; they replicate like any other: run syncline diff once the nodes caught up%n", planned);
        } else if (planned > 0) {
            out.printf("dry run: %d write(s) would be made; run again with --apply%n", planned);
        }
        out.flush();
        return planned < 0 ? DiffCommand.ERROR : 0;
    }
}
