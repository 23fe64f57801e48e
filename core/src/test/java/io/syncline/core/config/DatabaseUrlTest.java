package io.syncline.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseUrlTest {

    @TempDir
    Path dir;

    @Test
    void tlsParametersAreKeptDecodedAndWrittenBackEncoded() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://db.example:6432/app?sslmode=verify-full"
                + "&sslrootcert=/etc/ca%20certs/root.crt&options=-c%20statement_timeout%3D0");

        assertThat(url.host()).isEqualTo("db.example");
        assertThat(url.port()).isEqualTo(6432);
        assertThat(url.database()).isEqualTo("app");
        assertThat(url.parametersByName()).containsExactly(Map.entry("sslmode", "verify-full"),
                Map.entry("sslrootcert", "/etc/ca certs/root.crt"), Map.entry("options", "-c statement_timeout=0"));
        assertThat(DatabaseUrl.parse(url.jdbcUrl())).isEqualTo(url);
    }

    @Test
    void ipv6HostIsKeptWithoutBrackets() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://[::1]:5433/app?sslmode=require");

        assertThat(url.host()).isEqualTo("::1");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5433/app?sslmode=require");
    }

    @Test
    void defaultPortIs5432() {
        assertThat(DatabaseUrl.parse("jdbc:postgresql://localhost/app").port()).isEqualTo(5432);
    }

    @Test
    void unknownParameterIsRefusedByName() {
        assertThatThrownBy(() -> DatabaseUrl.parse("jdbc:postgresql://localhost/app?sslmode=require&sslmod=verify-full"))
                .hasMessageStartingWith("parameter 'sslmod' is not one Syncline passes to every connection")
                .hasMessageContaining("supported: ssl, sslmode, sslrootcert");
    }

    @Test
    void parametersSyncLineSetsItselfAreRefused() {
        assertThatThrownBy(() -> DatabaseUrl.parse("jdbc:postgresql://localhost/app?user=x"))
                .hasMessage("parameter 'user' belongs in database.user, not in the URL");
        assertThatThrownBy(() -> DatabaseUrl.parse("jdbc:postgresql://localhost/app?replication=database"))
                .hasMessageContaining("'replication' is set by Syncline for each of its connections");
        assertThatThrownBy(() -> DatabaseUrl.parse("jdbc:postgresql://localhost/app?targetServerType=primary"))
                .hasMessageContaining("a node connects to one server");
    }

    @Test
    void invalidSslModeIsRefused() {
        assertThatThrownBy(() -> DatabaseUrl.parse("jdbc:postgresql://localhost/app?sslmode=verify_full"))
                .hasMessage("parameter 'sslmode' is 'verify_full'; expected one of allow, disable, prefer, require,"
                        + " verify-ca, verify-full");
    }

    @Test
    void urlWithoutHostIsRefused() {
        assertThatThrownBy(() -> DatabaseUrl.parse("jdbc:postgresql:///app")).hasMessageContaining("needs one host");
    }

    @Test
    void configLoadNamesTheRefusedParameterAtTheUrl() {
        ConfigProblem p = TestConfigs.onlyProblem(dir, TestConfigs.ringWith("jdbc:postgresql://localhost:5432/app",
                "jdbc:postgresql://localhost:5432/app?sslmode=verify-full&sslcompression=1"));

        assertThat(p.fieldPath()).isEqualTo("database.url");
        assertThat(p.line()).isEqualTo(4);
        assertThat(p.message()).startsWith("parameter 'sslcompression' is not one Syncline passes to every connection");
    }
}
