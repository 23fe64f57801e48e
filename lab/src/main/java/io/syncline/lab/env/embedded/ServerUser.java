package io.syncline.lab.env.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;

/**
 * The operating-system user that runs the PostgreSQL processes.
 *
 * <p>PostgreSQL refuses to run as root ("root" execution of the PostgreSQL server is not
 * permitted, see {@code src/backend/main/main.c}). When this JVM runs as root, the server
 * commands run through {@code runuser -u <user> --} as {@code postgres} (or {@code nobody}
 * where no such user exists), and the directories they write are handed to that user.
 * Otherwise the commands run as the current user. Immutable.
 */
final class ServerUser {

    private final String name;
    private final boolean dropPrivileges;

    private ServerUser(String name, boolean dropPrivileges) {
        this.name = name;
        this.dropPrivileges = dropPrivileges;
    }

    static ServerUser detect() {
        if (!isRoot()) {
            return new ServerUser(System.getProperty("user.name"), false);
        }
        return new ServerUser(userExists("postgres") ? "postgres" : "nobody", true);
    }

    static boolean isRoot() {
        if ("root".equals(System.getProperty("user.name"))) {
            return true;
        }
        try {
            // /proc/self belongs to the effective uid of this process.
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean userExists(String user) {
        try {
            FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(user);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    String name() {
        return name;
    }

    boolean dropsPrivileges() {
        return dropPrivileges;
    }

    /** The command line that runs {@code command} as this user. */
    List<String> wrap(List<String> command) {
        if (!dropPrivileges) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", name, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Makes this user the owner of {@code path} (not recursive); no-op without privilege drop. */
    void own(Path path) {
        if (!dropPrivileges) {
            return;
        }
        try {
            UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
            PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
            view.setOwner(lookup.lookupPrincipalByName(name));
            GroupPrincipal group = primaryGroup(lookup);
            if (group != null) {
                view.setGroup(group);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot hand " + path + " to user " + name, e);
        }
    }

    private GroupPrincipal primaryGroup(UserPrincipalLookupService lookup) {
        for (String candidate : List.of(name, "nogroup")) {
            try {
                return lookup.lookupPrincipalByGroupName(candidate);
            } catch (IOException e) {
                // try the next candidate
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return dropPrivileges ? name + " (via runuser)" : name;
    }
}
