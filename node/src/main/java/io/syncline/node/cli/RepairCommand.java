package io.syncline.node.cli;

import io.syncline.core.config.NodeConfig;
import io.syncline.node.consistency.Repair;
import io.syncline.node.consistency.TableDiff;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

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
        PrintWriter err = spec.commandLine().getErr();
        List<TableDiff.Peer> peers = List.of();
        try {
            List<NodeConfig> configs = options.load();
            peers = ConsistencyOptions.connect(configs);
            int planned = 0;
            for (String table : options.tablesOf(configs.get(0))) {
                TableDiff.Report report = TableDiff.compare(peers, table, options.diffOptions(), d -> Thread.sleep(d.toMillis()));
                DiffCommand.print(out, report);
                List<Repair.Action> actions = Repair.plan(peers, table, report.differences());
                actions.forEach(action -> out.println("  " + (apply ? "" : "would ") + action));
                if (apply) {
                    Repair.apply(peers, table, actions);
                }
                planned += actions.size();
            }
            if (planned == 0) {
                out.println("nothing to repair");
            } else if (apply) {
                out.printf("%d write(s) made; they replicate like any other: run syncline diff once the nodes caught up%n",
                        planned);
            } else {
                out.printf("dry run: %d write(s) would be made; run again with --apply%n", planned);
            }
            return 0;
        } catch (SQLException | IllegalArgumentException | IllegalStateException e) {
            err.println("repair: " + e.getMessage());
            return DiffCommand.ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DiffCommand.ERROR;
        } finally {
            ConsistencyOptions.close(peers);
            out.flush();
        }
    }
}
