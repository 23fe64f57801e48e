package io.syncline.node.cli;

import io.syncline.connector.CaptureReset;
import io.syncline.core.config.NodeConfig;
import java.io.PrintWriter;
import java.sql.SQLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code syncline capture ...}: the node's capture. */
@Command(name = "capture", description = "Manage this node's capture.", subcommands = CaptureCommand.Reset.class)
final class CaptureCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code syncline capture reset}: a new epoch and a new slot, after the slot was lost. */
    @Command(name = "reset", description = "Start the capture over after its replication slot was lost: a new capture"
            + " epoch (the peers then stop their links from this node in GAP until they are re-synchronised) and a new"
            + " slot at the current WAL position. Stop the node first.")
    static final class Reset extends NodeConfigCommand {

        @Override
        int run(NodeConfig config, PrintWriter out, PrintWriter err) {
            try {
                CaptureReset.Result result = CaptureReset.run(config.nodeId(), config.database().url(), config.database().user(),
                        config.database().password().reveal());
                out.printf("node %s: capture epoch %d started (was %d); replication slot %s %s at %s.%n", config.nodeId(),
                        result.epoch(), result.previousEpoch(), result.slot(), result.droppedSlot() ? "dropped and created again"
                                : "created", result.slotPosition());
                out.printf("Changes committed on this database before %s that the old slot had not delivered are not"
                        + " replicated. Every peer will stop its link from %s in state GAP with an identity error until"
                        + " its data is re-synchronised with this node's (see docs/continuity.md).%n", result.slotPosition(),
                        config.nodeId());
                return 0;
            } catch (IllegalStateException e) {
                err.println(configFile + ": " + e.getMessage());
                return 1;
            } catch (SQLException e) {
                err.println(configFile + ": database " + config.database().url() + ": " + e.getMessage());
                return 1;
            }
        }
    }
}
