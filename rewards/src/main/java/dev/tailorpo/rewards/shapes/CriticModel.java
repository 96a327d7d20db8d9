package dev.tailorpo.rewards.shapes;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.TailorException;
import dev.tailorpo.diffusion.io.AtomicFiles;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.io.SafeTensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A trained critic as stored on disk: a folder with {@code config.json} (the {@link CriticKind}, the
 * {@link CriticConfig} and a {@code training} section recording how it was made: seeds, steps,
 * schedule, held-out metrics) and {@code model.safetensors} (the {@link CriticNet}'s parameters under
 * their module paths, float32). Loaded models are frozen: their parameters never take gradients.
 */
public final class CriticModel implements AutoCloseable {
    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final CriticKind kind;
    private final CriticNet net;
    private final NDManager manager;
    private final JsonNode training;

    private CriticModel(CriticKind kind, CriticNet net, NDManager manager, JsonNode training) {
        this.kind = kind;
        this.net = net;
        this.manager = manager;
        this.training = training;
    }

    public CriticKind kind() {
        return kind;
    }

    public CriticNet net() {
        return net;
    }

    /** The {@code training} section of config.json (an empty object when absent). */
    public JsonNode training() {
        return training;
    }

    /**
     * Loads the critic in {@code folder} onto {@code device}.
     *
     * @param expected the kind the caller needs; a folder holding the other kind is an error
     * @throws ModelFormatException naming the file when a file is missing, malformed or does not fit
     */
    public static CriticModel load(Path folder, CriticKind expected, Device device) {
        Path configFile = folder.resolve(CONFIG_FILE);
        Path weightsFile = folder.resolve(WEIGHTS_FILE);
        if (!Files.isDirectory(folder)) {
            throw new ModelFormatException(expected.rewardId() + " model folder " + folder + " does not exist");
        }
        if (!Files.isRegularFile(configFile)) {
            throw new ModelFormatException(expected.rewardId() + " model config " + configFile + " does not exist");
        }
        if (!Files.isRegularFile(weightsFile)) {
            throw new ModelFormatException(expected.rewardId() + " model weights " + weightsFile + " do not exist");
        }
        JsonNode root;
        try {
            root = JSON.readTree(configFile.toFile());
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + configFile + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(configFile + " is not a JSON object");
        }
        CriticKind kind = readKind(root, configFile);
        if (kind != expected) {
            throw new ModelFormatException(configFile + " holds a '" + kind.word() + "' critic, not '"
                    + expected.word() + "'");
        }
        CriticConfig config = readConfig(root, configFile);
        if (config.outputs() != kind.outputs()) {
            throw new ModelFormatException(configFile + ": a " + kind.word() + " critic has " + kind.outputs()
                    + " outputs, the file says " + config.outputs());
        }
        CriticNet net = new CriticNet(config);
        NDManager manager = NDManager.newBaseManager(device);
        try (SafeTensorsFile weights = SafeTensorsFile.open(weightsFile)) {
            net.load(weights, "", Set.of(), manager);
            net.setTrainable(false);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        JsonNode training = root.has("training") ? root.get("training") : JSON.createObjectNode();
        return new CriticModel(kind, net, manager, training);
    }

    private static CriticKind readKind(JsonNode root, Path file) {
        JsonNode k = root.get("kind");
        if (k == null || !k.isTextual()) {
            throw new ModelFormatException(file + ": 'kind' must be \"aesthetic\" or \"alignment\", was " + k);
        }
        try {
            return CriticKind.parse(k.asText());
        } catch (TailorException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        }
    }

    private static CriticConfig readConfig(JsonNode root, Path file) {
        JsonNode channels = root.get("channels");
        if (channels == null || !channels.isArray()) {
            throw new ModelFormatException(file + ": 'channels' must be a list of integers, was " + channels);
        }
        List<Integer> list = new ArrayList<>();
        for (JsonNode c : channels) {
            list.add(integer(c, file, "channels"));
        }
        try {
            return new CriticConfig(integer(root.get("image_size"), file, "image_size"), list,
                    integer(root.get("groups"), file, "groups"), integer(root.get("outputs"), file, "outputs"));
        } catch (TailorException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        }
    }

    private static int integer(JsonNode n, Path file, String key) {
        if (n == null || !n.isInt()) {
            throw new ModelFormatException(file + ": '" + key + "' must be an integer, was " + n);
        }
        return n.asInt();
    }

    /**
     * Writes a critic folder: both files go to a fresh folder next to {@code folder}, which is then
     * renamed to {@code folder}, so readers see either no model, the old one or the complete new one.
     *
     * @param training the provenance stored under {@code training} (seeds, steps, metrics, ...)
     * @param replace whether an existing {@code folder} may be replaced; otherwise it is an error
     */
    public static void save(Path folder, CriticKind kind, CriticNet net, Map<String, Object> training, boolean replace) {
        Path target = folder.toAbsolutePath().normalize();
        if (Files.exists(target) && !replace) {
            throw new TailorException("model folder " + target + " already exists; not replacing it");
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("kind", kind.word());
        CriticConfig c = net.config();
        root.put("image_size", c.imageSize());
        ArrayNode channels = root.putArray("channels");
        c.channels().forEach(channels::add);
        root.put("groups", c.groups());
        root.put("outputs", c.outputs());
        root.put("parameters", net.parameterCount());
        root.set("training", JSON.valueToTree(training));
        String text;
        try {
            text = JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
        Path parent = target.getParent();
        Path fresh = parent.resolve("." + target.getFileName() + ".new-" + UUID.randomUUID());
        Path old = parent.resolve("." + target.getFileName() + ".old-" + UUID.randomUUID());
        try {
            Files.createDirectories(fresh);
            SafeTensorsWriter.write(fresh.resolve(WEIGHTS_FILE), net.stateDict(), Map.of("format", "pt"));
            AtomicFiles.writeString(fresh.resolve(CONFIG_FILE), text);
            if (Files.exists(target)) {
                AtomicFiles.moveAtomically(target, old);
            }
            AtomicFiles.moveAtomically(fresh, target);
            deleteTree(old);
        } catch (IOException | UncheckedIOException e) {
            throw new TailorException("cannot write model folder " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                deleteTree(fresh);
            } catch (IOException ignored) {
                // only left over after a failure, which is already being reported
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
