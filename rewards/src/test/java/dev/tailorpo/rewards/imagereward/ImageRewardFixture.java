package dev.tailorpo.rewards.imagereward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.testing.TestData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code testdata/imagereward-tiny}: a miniature ImageReward computed by the upstream code. Every
 * size, prompt and expected value a test uses comes from its files.
 */
final class ImageRewardFixture {
    private ImageRewardFixture() {}

    static Path dir() {
        return TestData.testdata("imagereward-tiny");
    }

    static Path file(String name) {
        return dir().resolve(name);
    }

    /** {@code config.json}: sizes, score constants, preprocessing. */
    static JsonNode config() {
        return json("config.json");
    }

    /** {@code reference.json}: tokenizer cases, prompts, scores. */
    static JsonNode reference() {
        return json("reference.json");
    }

    /** The ViT's heads, which no weight shape gives. */
    static int visionHeads() {
        return config().get("vision").get("heads").asInt();
    }

    /** The prompts the reference batches are scored against, row i with image i. */
    static List<String> prompts() {
        List<String> out = new ArrayList<>();
        reference().get("prompts").forEach(p -> out.add(p.asText()));
        return out;
    }

    /** Every tensor of {@code reference.safetensors}, in {@code into}. */
    static Map<String, NDArray> tensors(NDManager into) {
        Map<String, NDArray> out = new HashMap<>();
        try (SafeTensorsFile f = SafeTensorsFile.open(file("reference.safetensors"))) {
            for (String k : f.keys()) {
                out.put(k, f.load(k, into));
            }
        }
        return out;
    }

    private static JsonNode json(String name) {
        try {
            return new ObjectMapper().readTree(file(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
