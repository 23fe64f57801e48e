package io.syncline.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretTest {

    @TempDir
    Path dir;

    @Test
    void toStringNeverShowsTheValue() {
        assertThat(Secret.plaintext("hunter2", "")).hasToString("Secret[****]");
        assertThat(Secret.fromEnvironment("DB_PW", "")).hasToString("Secret[env:DB_PW]");
        assertThat(Secret.fromFile(Path.of("/run/secrets/db"), "")).hasToString("Secret[file:/run/secrets/db]");
    }

    @Test
    void environmentSecretIsReadWhenRevealed() {
        Secret secret = Secret.fromEnvironment("DB_PW", "database.password-env (node.yaml:6:17)");

        assertThat(secret.reveal(Map.of("DB_PW", "s3cret")::get)).isEqualTo("s3cret");
        assertThatThrownBy(() -> secret.reveal(Map.<String, String>of()::get))
                .isInstanceOf(SecretUnavailableException.class)
                .hasMessage("database.password-env (node.yaml:6:17): environment variable DB_PW is not set");
    }

    @Test
    void fileSecretIsReadWithoutItsTrailingLineBreak() throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), "s3cret\n");

        assertThat(Secret.fromFile(file, "").reveal()).isEqualTo("s3cret");
    }

    @Test
    void missingSecretFileIsAClearError() {
        Secret secret = Secret.fromFile(dir.resolve("absent"), "database.password-file (node.yaml:6:18)");

        assertThatThrownBy(secret::reveal)
                .isInstanceOf(SecretUnavailableException.class)
                .hasMessageStartingWith("database.password-file (node.yaml:6:18): cannot read secret file "
                        + dir.resolve("absent"));
    }
}
