package io.syncline.node.cli;

import java.util.List;

/**
 * Subcommands that a jar outside the runtime adds to {@code syncline}, found with {@link java.util.ServiceLoader}
 * (listed in {@code META-INF/services/io.syncline.node.cli.ExtraCommands}). The lab module adds {@code demo} and
 * {@code bench} this way, so the runtime carries neither them nor the embedded servers they need.
 */
public interface ExtraCommands {

    /** Picocli command objects, each annotated with {@code @Command(name = ...)}. */
    List<Object> commands();
}
