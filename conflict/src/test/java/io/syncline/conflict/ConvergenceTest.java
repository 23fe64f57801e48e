package io.syncline.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.config.ColumnRule;
import io.syncline.core.config.ConfigLocation;
import io.syncline.core.config.ConflictPolicy;
import io.syncline.core.config.ConflictRule;
import io.syncline.core.config.TableConfig;
import io.syncline.core.config.TableName;
import io.syncline.core.event.RowChange;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property tests of the built-in policies (and a deterministic custom resolver), pure in memory:
 * three replicas stamp local writes like the row triggers and apply each other's changes through
 * {@link RowDecider}. For every convergent policy, whatever the delivery order (every
 * interleaving of concurrent branches; random histories of writes and deliveries; every change
 * delivered twice), all replicas end with identical rows, versions and metadata; under
 * {@code delta} each counter equals the sum of every increment made. That is commutativity,
 * associativity and idempotence of the merge as the applier runs it.
 *
 * <p>Seeded: each test prints its seed; replay with {@code -Dsyncline.seed=<seed>}.
 */
class ConvergenceTest {

    private static final List<String> NODES = List.of("dc-a", "dc-b", "dc-c");
    private static final List<String> KEYS = List.of("1", "2", "3");
    private static final Map<String, String> TYPES = types();
    private static final List<String> NOTES = List.of("red", "green", "blue", "Amber", "10", "9");
    private static final ConfigLocation HERE = new ConfigLocation(Path.of("test.yaml"), 1, 1);

    record Scenario(String name, ConflictRule table, Map<String, ConflictRule> columns, Set<String> deltaColumns,
            boolean dots, boolean deletes) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> scenarios() {
        ConflictRule lww = ConflictRule.of(ConflictPolicy.LWW);
        ConflictRule max = ConflictRule.of(ConflictPolicy.MAX);
        ConflictRule delta = ConflictRule.of(ConflictPolicy.DELTA);
        ConflictRule priority = new ConflictRule(ConflictPolicy.ORIGIN_PRIORITY, List.of("dc-b", "dc-a", "dc-c"), Optional.empty());
        ConflictRule custom = new ConflictRule(ConflictPolicy.CUSTOM, List.of(), Optional.of(SymmetricTestResolver.class.getName()));
        Set<String> counters = Set.of("qty", "score");
        return Stream.of(
                new Scenario("lww", lww, Map.of(), Set.of(), false, true),
                new Scenario("origin-priority", priority, Map.of(), Set.of(), false, true),
                new Scenario("max", max, Map.of(), Set.of(), false, true),
                new Scenario("min", ConflictRule.of(ConflictPolicy.MIN), Map.of(), Set.of(), false, true),
                new Scenario("delta", delta, Map.of(), counters, false, false),
                new Scenario("delta with deletes", delta, Map.of(), counters, false, true),
                new Scenario("column-merge", ConflictRule.of(ConflictPolicy.COLUMN_MERGE), Map.of(), Set.of(), true, true),
                new Scenario("column-merge, qty=max, seen=min", ConflictRule.of(ConflictPolicy.COLUMN_MERGE),
                        Map.of("qty", max, "seen", ConflictRule.of(ConflictPolicy.MIN)), Set.of(), true, true),
                new Scenario("lww, qty=delta, score=max", lww, Map.of("qty", delta, "score", max), Set.of("qty"), false, false),
                new Scenario("origin-priority, note=max", priority, Map.of("note", max), Set.of(), false, true),
                new Scenario("custom", custom, Map.of(), Set.of(), false, true))
                .map(Arguments::of);
    }

    /**
     * Every replica writes one to three versions of the same row concurrently (after a common
     * insert); each replica then receives the other two streams in every possible interleaving
     * (each stream in its origin's order), and every change a second time.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyDeliveryOrderOfConcurrentBranchesConverges(Scenario scenario) {
        long seed = seed();
        System.out.printf("ConvergenceTest.everyDeliveryOrder[%s] seed=%d%n", scenario, seed);
        Random random = new Random(seed);
        for (int round = 0; round < 150; round++) {
            String context = "seed " + seed + ", round " + round + ", " + scenario;
            long[] skews = skews(random);
            World base = new World(scenario, skews);
            base.write(random, 0, "1", false);
            base.deliverAll(random);
            Map<String, List<RowChange>> branches = new LinkedHashMap<>();
            long now = 10;
            for (int n = 0; n < NODES.size(); n++) {
                List<RowChange> branch = new ArrayList<>();
                int writes = 1 + random.nextInt(3);
                for (int w = 0; w < writes; w++) {
                    branch.add(base.localOp(random, n, "1", scenario.deletes(), now + random.nextInt(4)));
                }
                branches.put(NODES.get(n), branch);
            }
            LocalState expected = null;
            for (int target = 0; target < NODES.size(); target++) {
                List<String> others = new ArrayList<>(NODES);
                others.remove(target);
                List<RowChange> first = branches.get(others.get(0));
                List<RowChange> second = branches.get(others.get(1));
                for (List<Boolean> order : interleavings(first.size(), second.size())) {
                    SimulatedReplica replica = base.copyOf(target);
                    int i = 0;
                    int j = 0;
                    List<RowChange> delivered = new ArrayList<>();
                    for (boolean fromFirst : order) {
                        RowChange change = fromFirst ? first.get(i++) : second.get(j++);
                        replica.apply(change, change.version().clock().nodeId());
                        delivered.add(change);
                    }
                    LocalState once = replica.state("1");
                    for (RowChange change : delivered) {
                        replica.apply(change, change.version().clock().nodeId());
                    }
                    assertThat(replica.state("1")).as("idempotence, %s, at %s", context, NODES.get(target)).isEqualTo(once);
                    if (expected == null) {
                        expected = once;
                    }
                    assertThat(once).as("%s: %s after %s", context, NODES.get(target), order).isEqualTo(expected);
                }
            }
            if (!scenario.deletes() && expected.kind() == LocalState.Kind.ROW) {
                for (String column : scenario.deltaColumns()) {
                    assertThat(new BigDecimal(expected.values().get(column)))
                            .as("%s: %s is the sum of all increments", context, column)
                            .isEqualByComparingTo(base.sumOfIncrements("1", column));
                }
            }
        }
    }

    /** Random interleavings of local writes (inserts, updates, deletes) and deliveries on three keys. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void randomHistoriesConverge(Scenario scenario) {
        long seed = seed();
        System.out.printf("ConvergenceTest.randomHistories[%s] seed=%d%n", scenario, seed);
        Random random = new Random(seed);
        int conflicts = 0;
        for (int round = 0; round < 60; round++) {
            String context = "seed " + seed + ", round " + round + ", " + scenario;
            World world = new World(scenario, skews(random));
            long now = 0;
            int steps = 50 + random.nextInt(250);
            for (int step = 0; step < steps; step++) {
                now += random.nextInt(6);
                if (random.nextInt(100) < 45 || !world.hasPending()) {
                    int node = random.nextInt(NODES.size());
                    world.localOp(random, node, KEYS.get(random.nextInt(KEYS.size())), scenario.deletes(), now);
                } else {
                    world.deliverOne(random);
                }
            }
            world.deliverAll(random);
            for (String key : KEYS) {
                LocalState first = world.replicas.get(0).state(key);
                for (SimulatedReplica replica : world.replicas) {
                    assertThat(replica.state(key)).as("%s: key %s at %s", context, key, replica.node).isEqualTo(first);
                }
                if (!scenario.deletes() && first.kind() == LocalState.Kind.ROW) {
                    for (String column : scenario.deltaColumns()) {
                        assertThat(new BigDecimal(first.values().get(column)))
                                .as("%s: key %s, %s is the sum of all increments", context, key, column)
                                .isEqualByComparingTo(world.sumOfIncrements(key, column));
                    }
                }
            }
            conflicts += world.replicas.stream().mapToInt(r -> r.conflicts).sum();
        }
        assertThat(conflicts).as("the histories produced conflicts at all").isPositive();
    }

    /** Three replicas with all-to-all links: one FIFO queue per (origin, target). */
    private static final class World {
        final Scenario scenario;
        final List<SimulatedReplica> replicas = new ArrayList<>();
        final long[] skews;
        final Map<String, Deque<RowChange>> queues = new LinkedHashMap<>();
        final Map<String, BigDecimal> increments = new LinkedHashMap<>();

        World(Scenario scenario, long[] skews) {
            this.scenario = scenario;
            this.skews = skews;
            for (int n = 0; n < NODES.size(); n++) {
                replicas.add(newReplica(n));
                for (String target : NODES) {
                    if (!target.equals(NODES.get(n))) {
                        queues.put(NODES.get(n) + ">" + target, new ArrayDeque<>());
                    }
                }
            }
        }

        SimulatedReplica newReplica(int n) {
            List<ColumnRule> columns = new ArrayList<>();
            scenario.columns().forEach((column, rule) -> columns.add(new ColumnRule(column, rule, HERE)));
            TableConfig table = new TableConfig(new TableName("public", "t"), scenario.table(), columns, HERE);
            ConflictPolicies policies = ConflictPolicies.of(List.of(table), ConflictRule.of(ConflictPolicy.LWW),
                    ConvergenceTest.class.getClassLoader());
            return new SimulatedReplica(NODES.get(n), new RowDecider(policies, NODES.get(n)), TYPES, scenario.deltaColumns(),
                    scenario.dots(), skews[n]);
        }

        /** Another world's replica {@code n} with the same rows; queues are not copied. */
        SimulatedReplica copyOf(int n) {
            SimulatedReplica copy = newReplica(n);
            copy.rows.putAll(replicas.get(n).rows);
            return copy;
        }

        RowChange write(Random random, int node, String key, boolean mayDelete) {
            return localOp(random, node, key, mayDelete, 0);
        }

        RowChange localOp(Random random, int node, String key, boolean mayDelete, long now) {
            SimulatedReplica replica = replicas.get(node);
            LocalState state = replica.state(key);
            RowChange change;
            if (state.kind() == LocalState.Kind.ROW && mayDelete && random.nextInt(100) < 15) {
                change = replica.delete(key, now);
            } else {
                boolean insert = state.kind() != LocalState.Kind.ROW;
                Map<String, String> values = new LinkedHashMap<>();
                for (String column : TYPES.keySet()) {
                    if (column.equals(SimulatedReplica.KEY_COLUMN) || (!insert && random.nextBoolean())) {
                        continue;
                    }
                    if (scenario.deltaColumns().contains(column)) {
                        long old = insert || state.values().get(column) == null ? 0 : Long.parseLong(state.values().get(column));
                        long increment = random.nextInt(16) - 5;
                        values.put(column, Long.toString(old + increment));
                        increments.merge(key + "." + column, BigDecimal.valueOf(increment), BigDecimal::add);
                    } else {
                        values.put(column, randomValue(random, column));
                    }
                }
                change = replica.write(key, values, now);
            }
            for (String target : NODES) {
                if (!target.equals(replica.node)) {
                    queues.get(replica.node + ">" + target).add(change);
                }
            }
            return change;
        }

        BigDecimal sumOfIncrements(String key, String column) {
            return increments.getOrDefault(key + "." + column, BigDecimal.ZERO);
        }

        boolean hasPending() {
            return queues.values().stream().anyMatch(q -> !q.isEmpty());
        }

        void deliverOne(Random random) {
            List<String> pending = queues.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
            String link = pending.get(random.nextInt(pending.size()));
            RowChange change = queues.get(link).poll();
            String target = link.substring(link.indexOf('>') + 1);
            replicas.get(NODES.indexOf(target)).apply(change, link.substring(0, link.indexOf('>')));
        }

        void deliverAll(Random random) {
            while (hasPending()) {
                deliverOne(random);
            }
        }
    }

    private static String randomValue(Random random, String column) {
        return switch (column) {
            case "qty", "score" -> Integer.toString(random.nextInt(30) - 10);
            case "note" -> random.nextInt(6) == 0 ? null : NOTES.get(random.nextInt(NOTES.size()));
            case "seen" -> "2024-0" + (1 + random.nextInt(9)) + "-1" + random.nextInt(10) + " 1" + random.nextInt(10) + ":00:00";
            default -> throw new IllegalArgumentException(column);
        };
    }

    private static long[] skews(Random random) {
        long[] skews = new long[NODES.size()];
        for (int n = 0; n < skews.length; n++) {
            skews[n] = random.nextInt(5) - 2;
        }
        return skews;
    }

    /** Every merge of two sequences of lengths {@code a} and {@code b}: true = next from the first. */
    private static List<List<Boolean>> interleavings(int a, int b) {
        List<List<Boolean>> all = new ArrayList<>();
        if (a == 0 && b == 0) {
            all.add(new ArrayList<>());
            return all;
        }
        if (a > 0) {
            for (List<Boolean> rest : interleavings(a - 1, b)) {
                rest.add(0, true);
                all.add(rest);
            }
        }
        if (b > 0) {
            for (List<Boolean> rest : interleavings(a, b - 1)) {
                rest.add(0, false);
                all.add(rest);
            }
        }
        return all;
    }

    private static Map<String, String> types() {
        Map<String, String> types = new LinkedHashMap<>();
        types.put("id", "integer");
        types.put("qty", "integer");
        types.put("score", "bigint");
        types.put("note", "text");
        types.put("seen", "timestamp without time zone");
        return types;
    }

    private static long seed() {
        String fixed = System.getProperty("syncline.seed");
        return fixed == null || fixed.isBlank() ? System.nanoTime() : Long.parseLong(fixed);
    }
}
