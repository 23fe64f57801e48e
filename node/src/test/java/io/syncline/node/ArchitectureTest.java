package io.syncline.node;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module boundaries of docs/architecture.md, enforced: data crosses module lines only as core types. */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.syncline");
    }

    @Test
    void topologyAndConflictNeverSeeDebeziumOrTheConnector() {
        noClasses().that().resideInAnyPackage("io.syncline.topology..", "io.syncline.conflict..")
                .should().dependOnClassesThat().resideInAnyPackage("io.debezium..", "io.syncline.connector..", "org.apache.kafka..")
                .check(classes);
    }

    @Test
    void connectorDoesNotKnowConflictPolicy() {
        noClasses().that().resideInAPackage("io.syncline.connector..")
                .should().dependOnClassesThat().resideInAnyPackage("io.syncline.conflict..", "io.syncline.topology..")
                .check(classes);
    }

    @Test
    void coreDependsOnNoOtherModule() {
        noClasses().that().resideInAPackage("io.syncline.core..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.syncline.connector..", "io.syncline.conflict..", "io.syncline.topology..", "io.syncline.node..",
                        "io.debezium..", "org.apache.kafka..")
                .check(classes);
    }

    @Test
    void internalPackagesAreUsedOnlyInsideTheirModule() {
        for (String module : List.of("core", "connector", "conflict", "topology", "node")) {
            String root = "io.syncline." + module;
            noClasses().that().resideOutsideOfPackage(root + "..")
                    .should().dependOnClassesThat().resideInAPackage(root + "..internal..")
                    .as("only " + module + " uses " + root + ".internal")
                    .check(classes);
        }
    }
}
