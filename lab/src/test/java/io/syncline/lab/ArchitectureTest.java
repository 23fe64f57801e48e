package io.syncline.lab;

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
    void conflictIsPureDecisionOverCoreTypes() {
        noClasses().that().resideInAPackage("io.syncline.conflict..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "java.sql..", "javax.sql..", "io.syncline.schema..", "io.syncline.apply..", "io.syncline.connector..",
                        "io.syncline.topology..", "io.syncline.node..", "io.syncline.lab..")
                .check(classes);
    }

    @Test
    void topologyConflictSchemaAndApplyNeverSeeDebeziumOrTheConnector() {
        noClasses().that().resideInAnyPackage(
                        "io.syncline.topology..", "io.syncline.conflict..", "io.syncline.schema..", "io.syncline.apply..")
                .should().dependOnClassesThat().resideInAnyPackage("io.debezium..", "io.syncline.connector..", "org.apache.kafka..")
                .check(classes);
    }

    @Test
    void connectorDoesNotKnowConflictPolicy() {
        noClasses().that().resideInAPackage("io.syncline.connector..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.syncline.conflict..", "io.syncline.schema..", "io.syncline.apply..", "io.syncline.topology..")
                .check(classes);
    }

    @Test
    void coreDependsOnNoOtherModule() {
        noClasses().that().resideInAPackage("io.syncline.core..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.syncline.connector..", "io.syncline.conflict..", "io.syncline.schema..", "io.syncline.apply..",
                        "io.syncline.topology..", "io.syncline.node..", "io.syncline.lab..",
                        "io.debezium..", "org.apache.kafka..")
                .check(classes);
    }

    @Test
    void schemaNeverSeesTheApplier() {
        noClasses().that().resideInAPackage("io.syncline.schema..")
                .should().dependOnClassesThat().resideInAnyPackage("io.syncline.apply..", "io.syncline.node..")
                .check(classes);
    }

    @Test
    void theRuntimeNeverSeesTheLab() {
        noClasses().that().resideOutsideOfPackage("io.syncline.lab..")
                .should().dependOnClassesThat().resideInAPackage("io.syncline.lab..")
                .check(classes);
    }

    @Test
    void internalPackagesAreUsedOnlyInsideTheirModule() {
        for (String module : List.of("core", "connector", "conflict", "schema", "apply", "topology", "node", "lab")) {
            String root = "io.syncline." + module;
            noClasses().that().resideOutsideOfPackage(root + "..")
                    .should().dependOnClassesThat().resideInAPackage(root + "..internal..")
                    .as("only " + module + " uses " + root + ".internal")
                    .check(classes);
        }
    }
}
