package io.syncline.node.cli;

import java.util.ServiceLoader;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code syncline} command. Commands that are not part of the runtime (the demo and
 * the bench, in the lab module) join through {@link ExtraCommands} when their jar is on the class path.
 */
@Command(
        name = "syncline",
        mixinStandardHelpOptions = true,
        versionProvider = SynclineCli.Version.class,
        description = "Multi-leader replication for PostgreSQL.",
        subcommands = {
            CommandLine.HelpCommand.class,
            ConfigReferenceCommand.class,
            ConflictsCommand.class,
            DdlCommand.class,
            DiffCommand.class,
            InitCommand.class,
            JoinCommand.class,
            LeaveCommand.class,
            RepairCommand.class,
            RunCommand.class,
            StatusCommand.class,
            CaptureCommand.class,
            ValidateConfigCommand.class,
        })
public final class SynclineCli implements Runnable {

    private static final Set<String> LAB_COMMANDS = Set.of("demo", "bench");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status; used by tests instead of {@link #main}. */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        if (args.length > 0 && LAB_COMMANDS.contains(args[0]) && !cli.getSubcommands().containsKey(args[0])) {
            cli.getErr().printf("syncline %s is part of the lab, which this installation does not include: run it from a"
                    + " source checkout with ./syncline %s%n", args[0], args[0]);
            cli.getErr().flush();
            return 2;
        }
        return cli.execute(args);
    }

    /** The command line with every subcommand on the class path. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SynclineCli());
        for (ExtraCommands extra : ServiceLoader.load(ExtraCommands.class)) {
            extra.commands().forEach(cli::addSubcommand);
        }
        return cli;
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
