package io.syncline.lab.cli;

import io.syncline.node.cli.ExtraCommands;
import java.util.List;

/** Adds {@code syncline demo} and {@code syncline bench} to the command line when the lab jar is on the class path. */
public final class LabCommands implements ExtraCommands {

    @Override
    public List<Object> commands() {
        return List.of(new DemoCommand(), new BenchCommand());
    }
}
