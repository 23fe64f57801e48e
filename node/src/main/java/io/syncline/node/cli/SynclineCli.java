package io.syncline.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code syncline} command. */
@Command(
        name = "syncline",
        mixinStandardHelpOptions = true,
        versionProvider = SynclineCli.Version.class,
        description = "Multi-leader replication for PostgreSQL.",
        subcommands = {
            CommandLine.HelpCommand.class,
            ConfigReferenceCommand.class,
            ConflictsCommand.class,
            DemoCommand.class,
            DdlCommand.class,
            DiffCommand.class,
            InitCommand.class,
            JoinCommand.class,
            LeaveCommand.class,
            RepairCommand.class,
            RunCommand.class,
            StatusCommand.class,
            BenchCommand.class,
            CaptureCommand.class,
            ValidateConfigCommand.class,
        })
public final class SynclineCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status; used by tests instead of {@link #main}. */
    public static int run(String... args) {
        return new CommandLine(new SynclineCli()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = SynclineCli.class.getPackage().getImplementationVersion();
            return new String[] {"syncline " + (version == null ? "(development build)" : version)};
        }
    }
}
