package dev.tailorpo.eval.config;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.eval.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        Path f = dir.resolve("example.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static ExampleConfig parse(String yaml, Map<String, String> overrides) {
        return ConfigLoader.parse(ExampleConfig.class, yaml, "example.yaml", overrides);
    }

    private static String failure(String yaml, Map<String, String> overrides) {
        return assertThrows(ConfigException.class, () -> parse(yaml, overrides)).getMessage();
    }

    @Test
    void readsAFileWithSnakeCaseKeys() throws Exception {
        ExampleConfig c = ConfigLoader.load(ExampleConfig.class, file("""
                name: run-1
                seed: 7
                train:
                  steps: 20
                  beta: 0.5
                  optimizer: {lr: 1e-3, weight_decay: 0.01, betas: [0.8, 0.9]}
                  timesteps: [3, 4]
                rewards:
                  - {id: shapes-alignment, weight: 0.5}
                weights: {clip: 2.0}
                output: out/run-1
                mode: careful
                note: hello
                """), Map.of());
        assertEquals(new ExampleConfig("run-1", 7,
                new ExampleConfig.Train(20, 0.5, new ExampleConfig.Optimizer(1e-3, 0.01, List.of(0.8, 0.9)), List.of(3, 4)),
                List.of(new ExampleConfig.Reward("shapes-alignment", 0.5)), Map.of("clip", 2.0), Path.of("out/run-1"),
                ExampleConfig.Mode.CAREFUL, "hello"), c);
    }

    @Test
    void anUnknownKeyFailsWithItsFullPathAndTheKnownKeys() {
        String m = failure("train:\n  optimizer:\n    lrr: 0.1\n", Map.of());
        assertEquals("example.yaml: train.optimizer.lrr: unknown key; known keys: lr, weight_decay, betas;"
                + " did you mean 'lr'?", m);
        assertEquals("example.yaml: rewards[1].wieght: unknown key; known keys: id, weight; did you mean 'weight'?",
                failure("rewards:\n  - {id: a, weight: 1}\n  - {id: b, wieght: 2}\n", Map.of()));
        assertEquals("example.yaml: colour: unknown key; known keys: name, seed, train, rewards, weights, output,"
                + " mode, note", failure("colour: red\n", Map.of()));
    }

    @Test
    void aValueOfTheWrongTypeFailsWithItsPath() {
        assertEquals("example.yaml: train.steps: expected an integer, got 'many'", failure("train: {steps: many}", Map.of()));
        assertEquals("example.yaml: train.steps: expected an integer, got 1.5", failure("train: {steps: 1.5}", Map.of()));
        assertEquals("example.yaml: rewards[0].weight: expected a number, got 'heavy'",
                failure("rewards: [{id: a, weight: heavy}]", Map.of()));
        assertEquals("example.yaml: mode: expected one of fast, careful, got 'quick'", failure("mode: quick", Map.of()));
        assertEquals("example.yaml: train.timesteps: expected a list, got 'all'", failure("train: {timesteps: all}", Map.of()));
        assertEquals("example.yaml: train: expected a mapping with keys steps, beta, optimizer, timesteps, got 3",
                failure("train: 3", Map.of()));
        assertEquals("example.yaml: train.optimizer.lr: expected a number, got null",
                failure("train:\n  optimizer:\n    lr:\n", Map.of()));
    }

    @Test
    void aRecordsOwnValidationIsReportedWithThePathOfTheRecord() {
        assertEquals("example.yaml: train: beta must be > 0, got -1.0", failure("train: {beta: -1}", Map.of()));
    }

    @Test
    void missingKeysTakeTheirDefaults() {
        assertEquals(ExampleConfig.defaults(), parse("", Map.of()));
        assertEquals(ExampleConfig.defaults(), parse("# nothing but a comment\n", Map.of()));

        ExampleConfig c = parse("train:\n  steps: 5\n  optimizer: {lr: 0.5}\n", Map.of());
        assertEquals(5, c.train().steps());
        assertEquals(0.1, c.train().beta());
        assertEquals(new ExampleConfig.Optimizer(0.5, 0.0, List.of(0.9, 0.999)), c.train().optimizer());
        assertEquals("example", c.name());
        assertNull(c.note(), "a null default makes a key optional");
        assertNull(parse("note:\n", Map.of()).note());
        assertEquals("", parse("note: ''\n", Map.of()).note());
        // lists replace their default rather than merging with it
        assertEquals(List.of(new ExampleConfig.Reward("x", 2)), parse("rewards: [{id: x, weight: 2}]", Map.of()).rewards());
    }

    @Test
    void keysWithoutDefaultsAreRequired() {
        assertEquals("example.yaml: rewards[0].weight: missing required key", failure("rewards: [{id: x}]", Map.of()));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(ExampleConfig.Strict.class, "steps: 3", "strict.yaml", Map.of()));
        assertEquals("strict.yaml: model: missing required key", e.getMessage());
        assertEquals(new ExampleConfig.Strict("m", 3),
                ConfigLoader.parse(ExampleConfig.Strict.class, "steps: 3", null, Map.of("model", "m")));
    }

    @Test
    void overridesSetNestedKeysTheFileDoesNotMention() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("train.optimizer.lr", "0.5");
        o.put("train.timesteps", "[5, 6]");
        o.put("rewards[0].weight", "2");
        o.put("weights.clip", "0.25");
        o.put("name", "yes");           // a string key takes the text as it is, not YAML's boolean
        o.put("mode", "careful");
        ExampleConfig c = parse("train: {steps: 3}\n", o);
        assertEquals(new ExampleConfig.Optimizer(0.5, 0.0, List.of(0.9, 0.999)), c.train().optimizer());
        assertEquals(3, c.train().steps());
        assertEquals(List.of(5, 6), c.train().timesteps());
        assertEquals(2.0, c.rewards().get(0).weight());
        assertEquals(Map.of("clip", 0.25), c.weights());
        assertEquals("yes", c.name());
        assertEquals(ExampleConfig.Mode.CAREFUL, c.mode());
        assertEquals(0.125, parse("", Map.of("rewards.0.weight", "0.125")).rewards().get(0).weight());
        // a mapping value lays over the defaults like a mapping in the file
        assertEquals(new ExampleConfig.Optimizer(1.0, 0.0, List.of(0.9, 0.999)),
                parse("", Map.of("train.optimizer", "{lr: 1}")).train().optimizer());
        // the override wins over the file
        assertEquals(9, parse("seed: 1", Map.of("seed", "9")).seed());
    }

    @Test
    void anOverrideOfAPathThatDoesNotExistFailsNamingIt() {
        assertEquals("-Dtrain.optimizer.lrr: unknown key; known keys: lr, weight_decay, betas; did you mean 'lr'?",
                failure("", Map.of("train.optimizer.lrr", "1")));
        assertEquals("-Dtrian.steps: trian: unknown key; known keys: name, seed, train, rewards, weights, output, mode,"
                + " note; did you mean 'train'?", failure("", Map.of("trian.steps", "1")));
        assertEquals("-Dtrain.steps.max: train.steps is an integer; it has no key 'max'",
                failure("", Map.of("train.steps.max", "1")));
        assertEquals("-Drewards[3].weight: rewards has 1 element, no index 3", failure("", Map.of("rewards[3].weight", "1")));
        assertEquals("-Drewards.weight: rewards is a list: address its elements as rewards[N]",
                failure("", Map.of("rewards.weight", "1")));
    }

    @Test
    void anOverrideWithAValueOfTheWrongTypeIsNamed() {
        assertEquals("-Dtrain.steps: expected an integer, got 'many'", failure("", Map.of("train.steps", "many")));
        assertEquals("-Dtrain.optimizer: train.optimizer.lrr: unknown key; known keys: lr, weight_decay, betas;"
                + " did you mean 'lr'?", failure("", Map.of("train.optimizer", "{lrr: 1}")));
        assertTrue(failure("", Map.of("train.timesteps", "[1, 2")).startsWith("-Dtrain.timesteps: the value '[1, 2' is not valid YAML"));
    }

    @Test
    void theResolvedConfigIsWrittenBackAndReadsTheSame() throws Exception {
        ExampleConfig c = parse("train: {steps: 3}\nnote: 'yes'\nname: '1.5'\n",
                Map.of("train.optimizer.lr", "0.003", "mode", "careful", "output", "out/a b", "weights.clip", "1.5"));
        String yaml = ConfigLoader.toYaml(c);
        assertTrue(yaml.contains("weight_decay: 0.0"), yaml);
        assertTrue(yaml.contains("mode: careful"), yaml);
        assertTrue(yaml.contains("output: out/a b"), yaml);
        assertTrue(yaml.contains("name: \"1.5\""), yaml);
        assertTrue(yaml.contains("note: \"yes\""), yaml);
        assertEquals(c, ConfigLoader.parse(ExampleConfig.class, yaml, "written", Map.of()));

        Path out = dir.resolve("runs/r1/config.yaml");
        ConfigLoader.write(c, out);
        assertEquals(yaml, Files.readString(out));
        assertEquals(c, ConfigLoader.load(ExampleConfig.class, out, Map.of()));
        assertEquals(List.of(out), Files.list(out.getParent()).toList(), "no temporary file left behind");
    }

    @Test
    void configsWhoseMapsDifferOnlyInKeyOrderHaveTheSameContent() {
        ExampleConfig ab = parse("weights: {a: 1.0, b: 2.0}\n", Map.of());
        ExampleConfig ba = parse("weights: {b: 2.0, a: 1.0}\n", Map.of());
        assertTrue(ConfigLoader.sameContent(ab, ba));
        assertFalse(ConfigLoader.sameContent(ab, parse("weights: {a: 1.0, b: 3.0}\n", Map.of())), "a changed value counts");
    }

    @Test
    void methodSettingsKeepTheirOrderAndRefuseAKeyWithoutValue() {
        String keys = "[zeta, eta, theta, iota, kappa, lambda, mu, nu, xi, omicron]";
        String yaml = "trainer:\n  method: ddpo\n  settings: {zeta: 1, eta: 2, theta: 3, iota: 4, kappa: 5, lambda: 6, mu: 7, "
                + "nu: 8, xi: 9, omicron: 10}\n";
        TrainConfig config = ConfigLoader.parse(TrainConfig.class, yaml, "train.yaml", Map.of());
        // Map.copyOf iterates in an order set by a per-JVM salt: ten keys would rarely come back as written
        assertEquals(keys, config.trainer().settings().keySet().toString());
        String written = ConfigLoader.toYaml(config);
        assertTrue(written.indexOf("zeta") < written.indexOf("eta:") && written.indexOf("xi") < written.indexOf("omicron"), written);
        String error = assertThrows(ConfigException.class, () -> ConfigLoader.parse(TrainConfig.class,
                "trainer: {method: ddpo, settings: {lr: ~}}\n", "train.yaml", Map.of())).getMessage();
        assertTrue(error.contains("settings: 'lr' has no value"), error);
    }

    @Test
    void badFilesFailNamingTheFile() throws Exception {
        Path missing = dir.resolve("nope.yaml");
        assertEquals("config file not found: " + missing,
                assertThrows(ConfigException.class, () -> ConfigLoader.load(ExampleConfig.class, missing, Map.of())).getMessage());
        assertTrue(failure("seed: 1\nseed: 2\n", Map.of()).startsWith("example.yaml: line 2: not valid YAML: Duplicate field 'seed'"),
                failure("seed: 1\nseed: 2\n", Map.of()));
        assertTrue(failure("train: [1, 2\n", Map.of()).startsWith("example.yaml: line "), failure("train: [1, 2\n", Map.of()));
        assertEquals("example.yaml: expected a mapping of keys at the top level, got a list", failure("- 1\n- 2\n", Map.of()));
    }

    @Test
    void overridePathsParse() {
        assertEquals(List.of("a", "b", 0, "c"), ConfigLoader.parsePath("a.b[0].c"));
        assertEquals(List.of("a", "b", 0, "c"), ConfigLoader.parsePath("a.b.0.c"));
        assertEquals(List.of("m", 1, 2), ConfigLoader.parsePath("m[1][2]"));
        assertThrows(ConfigException.class, () -> ConfigLoader.parsePath("a..b"));
        assertThrows(ConfigException.class, () -> ConfigLoader.parsePath("a[x]"));
        assertThrows(ConfigException.class, () -> ConfigLoader.parsePath(""));
    }
}
