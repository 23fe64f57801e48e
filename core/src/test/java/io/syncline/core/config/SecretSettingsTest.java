package io.syncline.core.config;

import static io.syncline.core.config.TestConfigs.RING;
import static io.syncline.core.config.TestConfigs.load;
import static io.syncline.core.config.TestConfigs.onlyProblem;
import static io.syncline.core.config.TestConfigs.ringWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretSettingsTest {

    private static final String PASSWORD_ENV = "  password-env: SYNCLINE_DB_PASSWORD";

    @TempDir
    Path dir;

    @Test
    void plaintextPasswordIsRefusedByDefault() {
        ConfigProblem p = onlyProblem(dir, ringWith(PASSWORD_ENV, "  password: hunter2"));

        assertThat(p.line()).isEqualTo(6);
        assertThat(p.column()).isEqualTo(3);
        assertThat(p.fieldPath()).isEqualTo("database.password");
        assertThat(p.message()).isEqualTo("plain-text database password refused; expected password-env or "
                + "password-file (or allow-plaintext-secrets: true at the top level)");
        assertThat(p.format()).doesNotContain("hunter2");
    }

    @Test
    void plaintextPasswordIsAcceptedWithAWarningWhenAllowed() {
        NodeConfig config = load(dir, ringWith(PASSWORD_ENV, "  password: hunter2") + "allow-plaintext-secrets: true\n");

        assertThat(config.database().password().reveal()).isEqualTo("hunter2");
        assertThat(config.toString()).doesNotContain("hunter2");
        assertThat(config.warnings()).singleElement().satisfies(w -> {
            assertThat(w.line()).isEqualTo(6);
            assertThat(w.fieldPath()).isEqualTo("database.password");
            assertThat(w.message()).startsWith("plain-text database password (allowed by allow-plaintext-secrets)");
        });
    }

    @Test
    void passwordGivenTwoWaysIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith(PASSWORD_ENV, PASSWORD_ENV + "\n  password-file: /run/secrets/db"));

        assertThat(p.line()).isEqualTo(7);
        assertThat(p.fieldPath()).isEqualTo("database.password-file");
        assertThat(p.message()).isEqualTo("the database password is given twice (as password-env and password-file); "
                + "expected only one of password-env, password-file, password");
    }

    @Test
    void missingPasswordIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith(PASSWORD_ENV + "\n", ""));

        assertThat(p.line()).isEqualTo(3);
        assertThat(p.fieldPath()).isEqualTo("database.password-env");
        assertThat(p.message()).isEqualTo(
                "missing database password; expected password-env (an environment variable) or password-file (a file)");
    }

    @Test
    void invalidEnvironmentVariableNameIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("SYNCLINE_DB_PASSWORD", "'$DB PASSWORD'"));

        assertThat(p.line()).isEqualTo(6);
        assertThat(p.column()).isEqualTo(17);
        assertThat(p.fieldPath()).isEqualTo("database.password-env");
    }

    @Test
    void secretFileIsRelativeToTheConfigFile() throws Exception {
        Files.writeString(dir.resolve("db.secret"), "from-file\n");
        NodeConfig config = load(dir, ringWith(PASSWORD_ENV, "  password-file: db.secret"));

        assertThat(config.database().password().source()).isEqualTo(Secret.Source.FILE);
        assertThat(config.database().password().reveal()).isEqualTo("from-file");
    }

    @Test
    void secretsAreNotReadAtLoad() {
        NodeConfig config = load(dir, RING.replace("SYNCLINE_DB_PASSWORD", "SURELY_UNSET_VARIABLE_4711"));

        assertThat(config.database().password().reference()).isEqualTo("SURELY_UNSET_VARIABLE_4711");
    }
}
