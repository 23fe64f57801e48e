package io.syncline.core.config;

import static io.syncline.core.config.TestConfigs.load;
import static io.syncline.core.config.TestConfigs.onlyProblem;
import static io.syncline.core.config.TestConfigs.problems;
import static io.syncline.core.config.TestConfigs.ringWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConflictPolicyValidationTest {

    private static final String TABLE = "  - public.accounts";

    @TempDir
    Path dir;

    /** The ring config with its one table replaced by {@code tables}, indented under {@code tables:} (line 20 on). */
    private static String withTables(String tables) {
        return ringWith(TABLE, tables.indent(2).stripTrailing());
    }

    @Test
    void tableWithoutConflictGetsTheDefaultPolicy() {
        NodeConfig config = load(dir, ringWith("default-policy: lww", "default-policy: keep-local"));

        assertThat(config.conflict().defaultRule()).isEqualTo(ConflictRule.of(ConflictPolicy.KEEP_LOCAL));
        assertThat(config.tables().get(0).conflict()).isEqualTo(ConflictRule.of(ConflictPolicy.KEEP_LOCAL));
    }

    @Test
    void tablesMayBeNamesOrMappingsAndDefaultToSchemaPublic() {
        NodeConfig config = load(dir, withTables("""
                  - accounts
                  - Sales.Orders
                  - name: audit.log
                    conflict: {policy: keep-remote}"""));

        assertThat(config.tables()).extracting(TableConfig::name).containsExactly(
                new TableName("public", "accounts"), new TableName("sales", "orders"), new TableName("audit", "log"));
        assertThat(config.tables().get(2).conflict().policy()).isEqualTo(ConflictPolicy.KEEP_REMOTE);
        assertThat(config.tables().get(1).location()).isEqualTo(new ConfigLocation(dir.resolve("node.yaml"), 21, 5));
    }

    @Test
    void duplicateTableIsRejectedEvenWhenSpelledDifferently() {
        ConfigProblem p = onlyProblem(dir, withTables("- public.accounts\n- name: Accounts"));

        assertThat(p.line()).isEqualTo(21);
        assertThat(p.column()).isEqualTo(11);
        assertThat(p.fieldPath()).isEqualTo("tables[1].name");
        assertThat(p.message()).isEqualTo(
                "duplicate table public.accounts (also tables[0], line 20); expected each table once");
    }

    @Test
    void invalidTableNameIsRejected() {
        ConfigProblem p = onlyProblem(dir, withTables("- public.my-table"));

        assertThat(p.line()).isEqualTo(20);
        assertThat(p.column()).isEqualTo(5);
        assertThat(p.fieldPath()).isEqualTo("tables[0]");
        assertThat(p.message()).startsWith("'public.my-table' is not a table name; expected schema.table or table");
    }

    @Test
    void emptyTableListIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("tables:\n  - public.accounts", "tables: []"));

        assertThat(p.fieldPath()).isEqualTo("tables");
        assertThat(p.message()).startsWith("has 0 item(s); expected a non-empty list");
    }

    @Test
    void unknownPolicySuggestsTheClosestPolicy() {
        ConfigProblem p = onlyProblem(dir, withTables("- name: accounts\n  conflict: {policy: lwww}"));

        assertThat(p.line()).isEqualTo(21);
        assertThat(p.column()).isEqualTo(24);
        assertThat(p.fieldPath()).isEqualTo("tables[0].conflict.policy");
        assertThat(p.message()).isEqualTo("unknown conflict policy 'lwww' (did you mean 'lww'?); expected one of "
                + "lww, origin-priority, keep-local, keep-remote, max, min, delta, column-merge, custom");
    }

    @Test
    void originPriorityRankingEveryNodeIsAccepted() {
        NodeConfig config = load(dir, withTables("""
                  - name: accounts
                    conflict:
                      policy: origin-priority
                      origin-priority: [dc-b, dc-a, dc-c]"""));

        assertThat(config.tables().get(0).conflict().originPriority()).containsExactly("dc-b", "dc-a", "dc-c");
    }

    @Test
    void originPriorityWithoutRankingIsRejected() {
        ConfigProblem p = onlyProblem(dir, withTables("- name: accounts\n  conflict: {policy: origin-priority}"));

        assertThat(p.line()).isEqualTo(21);
        assertThat(p.column()).isEqualTo(24);
        assertThat(p.fieldPath()).isEqualTo("tables[0].conflict.origin-priority");
        assertThat(p.message()).isEqualTo(
                "missing; policy origin-priority needs it; expected the nodes, highest priority first");
    }

    @Test
    void originPriorityMissingANodeIsRejected() {
        ConfigProblem p = onlyProblem(dir, withTables("""
                  - name: accounts
                    conflict:
                      policy: origin-priority
                      origin-priority: [dc-b, dc-a]"""));

        assertThat(p.line()).isEqualTo(23);
        assertThat(p.column()).isEqualTo(24);
        assertThat(p.fieldPath()).isEqualTo("tables[0].conflict.origin-priority");
        assertThat(p.message()).isEqualTo(
                "does not rank dc-c; expected every node of topology.nodes exactly once: dc-a, dc-b, dc-c");
    }

    @Test
    void originPriorityNamingAnUnknownOrRepeatedNodeIsRejected() {
        List<ConfigProblem> found = problems(dir, ringWith("default-policy: lww",
                "default-policy: origin-priority\n  origin-priority: [dc-a, dc-b, dc-a, dc-x]"));

        assertThat(found).extracting(ConfigProblem::fieldPath).containsExactly(
                "conflict.origin-priority", "conflict.origin-priority[2]", "conflict.origin-priority[3]");
        assertThat(found.get(1).line()).isEqualTo(23);
        assertThat(found.get(1).column()).isEqualTo(33);
        assertThat(found.get(1).message()).startsWith("ranks 'dc-a' twice (also conflict.origin-priority[0])");
        assertThat(found.get(2).message()).startsWith("unknown node 'dc-x'");
        assertThat(found.get(0).message()).startsWith("does not rank dc-c");
    }

    @Test
    void originPriorityWithAnotherPolicyIsRejected() {
        ConfigProblem p = onlyProblem(dir, withTables("""
                  - name: accounts
                    conflict:
                      policy: lww
                      origin-priority: [dc-a, dc-b, dc-c]"""));

        assertThat(p.line()).isEqualTo(23);
        assertThat(p.column()).isEqualTo(7);
        assertThat(p.fieldPath()).isEqualTo("tables[0].conflict.origin-priority");
        assertThat(p.message()).isEqualTo(
                "only policy origin-priority takes origin-priority; expected no origin-priority with policy lww");
    }

    @Test
    void customResolverOnTheClassPathIsAccepted() {
        NodeConfig config = load(dir, withTables(
                "- name: accounts\n  conflict: {policy: custom, resolver: " + TestResolver.class.getName() + "}"));

        assertThat(config.tables().get(0).conflict().resolverClass()).contains(TestResolver.class.getName());
    }

    @Test
    void customResolverMissingFromTheClassPathIsRejected() {
        ConfigProblem p = onlyProblem(dir, withTables(
                "- name: accounts\n  conflict: {policy: custom, resolver: com.example.Missing}"));

        assertThat(p.line()).isEqualTo(21);
        assertThat(p.column()).isEqualTo(42);
        assertThat(p.fieldPath()).isEqualTo("tables[0].conflict.resolver");
        assertThat(p.message()).isEqualTo("class com.example.Missing is not on the class path; expected a public "
                + "class with a public no-argument constructor implementing io.syncline.core.spi.ConflictResolver, "
                + "on the node's class path");
    }

    @Test
    void customResolverNotImplementingTheSpiIsRejected() {
        ConfigProblem p = onlyProblem(dir, withTables(
                "- name: accounts\n  conflict: {policy: custom, resolver: " + NotAResolver.class.getName() + "}"));

        assertThat(p.fieldPath()).isEqualTo("tables[0].conflict.resolver");
        assertThat(p.message()).startsWith("class " + NotAResolver.class.getName()
                + " does not implement io.syncline.core.spi.ConflictResolver; expected");
    }

    @Test
    void customPolicyWithoutResolverIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("default-policy: lww", "default-policy: custom"));

        assertThat(p.line()).isEqualTo(22);
        assertThat(p.column()).isEqualTo(19);
        assertThat(p.fieldPath()).isEqualTo("conflict.resolver");
        assertThat(p.message()).isEqualTo(
                "missing; policy custom needs it; expected the class name of a ConflictResolver");
    }

    @Test
    void numericPoliciesAreAcceptedPerColumn() {
        NodeConfig config = load(dir, withTables("""
                  - name: accounts
                    conflict:
                      policy: column-merge
                      columns:
                        balance: delta
                        high_water: {policy: max}
                        Low_Water: min"""));

        TableConfig table = config.tables().get(0);
        assertThat(table.conflict().policy()).isEqualTo(ConflictPolicy.COLUMN_MERGE);
        assertThat(table.ruleFor("balance").policy()).isEqualTo(ConflictPolicy.DELTA);
        assertThat(table.ruleFor("high_water").policy()).isEqualTo(ConflictPolicy.MAX);
        assertThat(table.ruleFor("low_water").policy()).isEqualTo(ConflictPolicy.MIN);
        assertThat(table.ruleFor("name").policy()).isEqualTo(ConflictPolicy.COLUMN_MERGE);
        assertThat(table.columnRules().get(0).location().line()).isEqualTo(24);
    }

    @Test
    void columnMergeIsRejectedForASingleColumn() {
        List<ConfigProblem> found = problems(dir, withTables("""
                  - name: accounts
                    conflict:
                      columns:
                        balance: column-merge
                        owner: {policy: column-merge}"""));

        assertThat(found).extracting(ConfigProblem::fieldPath)
                .containsExactly("tables[0].conflict.columns.balance", "tables[0].conflict.columns.owner.policy");
        assertThat(found.get(0).line()).isEqualTo(23);
        assertThat(found.get(0).column()).isEqualTo(18);
        assertThat(found.get(0).message()).isEqualTo("column-merge applies to whole rows only; expected it as the "
                + "table's policy, or a column policy such as lww, max, min or delta");
        assertThat(found.get(1).line()).isEqualTo(24);
    }

    @Test
    void columnPolicyWithParametersNeedsTheLongForm() {
        ConfigProblem p = onlyProblem(dir, withTables(
                "- name: accounts\n  conflict:\n    columns: {balance: origin-priority}"));

        assertThat(p.fieldPath()).isEqualTo("tables[0].conflict.columns.balance");
        assertThat(p.message()).startsWith("policy origin-priority needs parameters; expected the long form");
    }

    @Test
    void columnPolicyParametersAreCheckedLikeTableOnes() {
        ConfigProblem p = onlyProblem(dir, withTables("""
                  - name: accounts
                    conflict:
                      columns:
                        owner: {policy: origin-priority, origin-priority: [dc-a]}"""));

        assertThat(p.line()).isEqualTo(23);
        assertThat(p.fieldPath()).isEqualTo("tables[0].conflict.columns.owner.origin-priority");
        assertThat(p.message()).startsWith("does not rank dc-b, dc-c");
    }

    @Test
    void resolverWithoutPolicyIsRejected() {
        ConfigProblem p = onlyProblem(dir, withTables(
                "- name: accounts\n  conflict: {resolver: " + TestResolver.class.getName() + "}"));

        assertThat(p.fieldPath()).isEqualTo("tables[0].conflict.resolver");
        assertThat(p.message()).isEqualTo("given without a policy; expected policy next to it");
    }

    @Test
    void tableConflictWithOnlyColumnsKeepsTheDefaultTableRule() {
        NodeConfig config = load(dir, withTables("- name: accounts\n  conflict: {columns: {balance: delta}}"));

        assertThat(config.tables().get(0).conflict()).isEqualTo(ConflictRule.of(ConflictPolicy.LWW));
        assertThat(config.tables().get(0).columnRules()).singleElement()
                .satisfies(c -> assertThat(c.rule()).isEqualTo(new ConflictRule(ConflictPolicy.DELTA, List.of(), Optional.empty())));
    }
}
