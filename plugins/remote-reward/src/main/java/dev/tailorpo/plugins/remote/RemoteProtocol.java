package dev.tailorpo.plugins.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.reward.RewardInfo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The JSON messages of protocol {@code tailorpo-reward/1}, shared by the client and the server so
 * that both ends agree by construction. README.md beside this plugin is the specification.
 */
final class RemoteProtocol {
    private RemoteProtocol() {}

    static final String VERSION = "tailorpo-reward/1";
    /** Limits a server enforces, so that one request cannot exhaust its memory. */
    static final int MAX_SIDE = 4096;
    static final int MAX_IMAGES = 1024;

    /** Reads {@code NaN} and {@code Infinity} too, as Python's {@code json.dumps} writes them. */
    static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** A decoded score request: B images (B, 3, H, W) in [0, 1] with their prompts. */
    record Request(List<String> prompts, float[] pixels, int height, int width) {}

    static byte[] request(ImageCodec codec, List<String> prompts, float[] pixels, int h, int w) {
        ObjectNode root = JSON.createObjectNode();
        root.put("protocol", VERSION).put("encoding", codec.wireName()).put("height", h).put("width", w);
        ArrayNode p = root.putArray("prompts");
        prompts.forEach(p::add);
        ArrayNode images = root.putArray("images");
        Base64.Encoder b64 = Base64.getEncoder();
        for (int i = 0; i < prompts.size(); i++) {
            images.add(b64.encodeToString(codec.encode(pixels, i * 3 * h * w, h, w)));
        }
        return write(root);
    }

    static Request parseRequest(byte[] body) {
        JsonNode root = read(body, "request");
        String protocol = root.path("protocol").asText("");
        if (!VERSION.equals(protocol)) {
            throw new InvalidInputException("unsupported protocol '" + protocol + "'; this server speaks " + VERSION);
        }
        ImageCodec codec = ImageCodec.fromWire(root.path("encoding").asText(""));
        int h = side(root, "height");
        int w = side(root, "width");
        JsonNode prompts = root.path("prompts");
        JsonNode images = root.path("images");
        if (!prompts.isArray() || !images.isArray() || prompts.size() != images.size()) {
            throw new InvalidInputException("'prompts' and 'images' must be arrays of the same length");
        }
        int b = images.size();
        if (b == 0 || b > MAX_IMAGES) {
            throw new InvalidInputException("a request holds 1 to " + MAX_IMAGES + " images, got " + b);
        }
        List<String> texts = new ArrayList<>(b);
        float[] pixels = new float[b * 3 * h * w];
        Base64.Decoder b64 = Base64.getDecoder();
        for (int i = 0; i < b; i++) {
            if (!prompts.get(i).isTextual() || !images.get(i).isTextual()) {
                throw new InvalidInputException("prompt and image " + i + " must be strings");
            }
            texts.add(prompts.get(i).asText());
            try {
                codec.decode(b64.decode(images.get(i).asText()), pixels, i * 3 * h * w, h, w);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("image " + i + ": " + e.getMessage(), e);
            }
        }
        return new Request(texts, pixels, h, w);
    }

    static byte[] scores(float[] scores) {
        ObjectNode root = JSON.createObjectNode().put("protocol", VERSION);
        ArrayNode s = root.putArray("scores");
        for (float v : scores) {
            s.add(v);
        }
        return write(root);
    }

    /**
     * The scores of a response, checked against the batch: exactly {@code expected} numbers; NaN
     * and infinities are returned as such, for the caller to report with the image they belong to.
     */
    static float[] parseScores(byte[] body, int expected) {
        JsonNode root = read(body, "response");
        JsonNode protocol = root.get("protocol");
        if (protocol != null && !VERSION.equals(protocol.asText())) {
            throw new InvalidInputException("the server speaks protocol '" + protocol.asText() + "', not " + VERSION);
        }
        JsonNode scores = root.get("scores");
        if (scores == null || !scores.isArray()) {
            throw new InvalidInputException("the response has no 'scores' array");
        }
        if (scores.size() != expected) {
            throw new InvalidInputException("the server returned " + scores.size() + " scores for " + expected + " images");
        }
        float[] out = new float[expected];
        for (int i = 0; i < expected; i++) {
            if (!scores.get(i).isNumber()) {
                throw new InvalidInputException("score " + i + " is not a number: " + scores.get(i));
            }
            out[i] = (float) scores.get(i).doubleValue();
        }
        return out;
    }

    static byte[] error(String message) {
        return write(JSON.createObjectNode().put("protocol", VERSION).put("error", message));
    }

    /** The server's {@code error} field, or the body itself (cut short) when it is not our JSON. */
    static String errorMessage(byte[] body) {
        try {
            JsonNode e = JSON.readTree(body).get("error");
            if (e != null && e.isTextual()) {
                return e.asText();
            }
        } catch (IOException ignored) {
            // not JSON: show the text
        }
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    static byte[] info(RewardInfo info) {
        ObjectNode root = JSON.createObjectNode().put("protocol", VERSION)
                .put("id", info.id()).put("name", info.displayName())
                .put("higher_is_better", info.higherIsBetter()).put("input_size", info.inputSize());
        // JSON has no infinities: an unbounded end is null
        if (Double.isFinite(info.min())) {
            root.put("min", info.min());
        } else {
            root.putNull("min");
        }
        if (Double.isFinite(info.max())) {
            root.put("max", info.max());
        } else {
            root.putNull("max");
        }
        return write(root);
    }

    private static int side(JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1 || n.intValue() > MAX_SIDE) {
            throw new InvalidInputException("'" + key + "' must be an integer in [1, " + MAX_SIDE + "], got " + n);
        }
        return n.intValue();
    }

    private static JsonNode read(byte[] body, String what) {
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null || !root.isObject()) {
                throw new InvalidInputException("the " + what + " is not a JSON object");
            }
            return root;
        } catch (IOException e) {
            throw new InvalidInputException("the " + what + " is not valid JSON: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
    }

    private static byte[] write(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
