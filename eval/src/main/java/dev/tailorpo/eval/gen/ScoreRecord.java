package dev.tailorpo.eval.gen;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailorpo.api.InvalidInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One reward of one generated image: a line of {@code scores.jsonl}.
 *
 * <pre>{"model":"tailorpo-g","run":1,"checkpoint":"/…/runs/g-s1/pytorch_lora_weights.safetensors",
 *  "prompt_set":"shapes_unseen","prompt_index":3,"prompt":"a small red circle on a navy background",
 *  "image":0,"seed":0,"reward":"shapes-aesthetic","score":7.8125}</pre>
 *
 * @param model the model's label
 * @param run which training run of the label (0-based; 0 for a single checkpoint or the base model)
 * @param checkpoint the LoRA file, or {@code base}
 * @param promptSet the prompt set's name
 * @param promptIndex the prompt's position in its set
 * @param prompt the prompt
 * @param image the image index
 * @param seed the noise seed (with prompt and image, it fixes the image's noise)
 * @param reward the reward id
 * @param score the score
 */
public record ScoreRecord(String model, int run, String checkpoint, String promptSet, int promptIndex, String prompt,
                          int image, long seed, String reward, double score) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The fields of a line, in order. */
    public static final List<String> FIELDS = List.of("model", "run", "checkpoint", "prompt_set", "prompt_index", "prompt",
            "image", "seed", "reward", "score");

    /** One JSON object on one line, fields in {@link #FIELDS} order. */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("model", model);
        o.put("run", run);
        o.put("checkpoint", checkpoint);
        o.put("prompt_set", promptSet);
        o.put("prompt_index", promptIndex);
        o.put("prompt", prompt);
        o.put("image", image);
        o.put("seed", seed);
        o.put("reward", reward);
        o.put("score", score);
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses one line; every field must be present with its type. */
    public static ScoreRecord fromJson(String line) {
        JsonNode o;
        try {
            o = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("not a JSON score line: " + e.getOriginalMessage());
        }
        for (String f : FIELDS) {
            if (o == null || !o.has(f)) {
                throw new InvalidInputException("score line lacks '" + f + "': " + line);
            }
        }
        return new ScoreRecord(o.get("model").asText(), o.get("run").asInt(), o.get("checkpoint").asText(),
                o.get("prompt_set").asText(), o.get("prompt_index").asInt(), o.get("prompt").asText(),
                o.get("image").asInt(), o.get("seed").asLong(), o.get("reward").asText(), o.get("score").asDouble());
    }

    /** Reads a {@code scores.jsonl} file (blank lines skipped); errors name the line. */
    public static List<ScoreRecord> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        List<ScoreRecord> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                out.add(fromJson(lines.get(i)));
            } catch (InvalidInputException e) {
                throw new InvalidInputException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
