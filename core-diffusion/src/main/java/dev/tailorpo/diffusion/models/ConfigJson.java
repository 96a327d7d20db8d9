package dev.tailorpo.diffusion.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a model's JSON config (transformers' {@code config.json}, BLIP's {@code med_config.json},
 * open_clip's model config) section by section, with the caller's defaults for absent keys and
 * errors that name the file and the key at fault.
 */
public final class ConfigJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode node;
    private final String source;

    public ConfigJson(JsonNode node, String source) {
        this.node = node == null ? JSON.createObjectNode() : node;
        this.source = source;
    }

    /** Parses {@code file}; a missing or malformed file is a {@link ModelFormatException}. */
    public static ConfigJson read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException("missing model config " + file);
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new ModelFormatException(file + " is not a JSON object");
            }
            return new ConfigJson(root, file.toString());
        } catch (IOException e) {
            throw new ModelFormatException("cannot read model config " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses JSON text (a config held in code); {@code source} names it in errors. */
    public static ConfigJson parse(String json, String source) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !root.isObject()) {
                throw new ModelFormatException(source + " is not a JSON object");
            }
            return new ConfigJson(root, source);
        } catch (IOException e) {
            throw new ModelFormatException("cannot parse " + source + ": " + e.getMessage(), e);
        }
    }

    /** A nested object (e.g. {@code text_config}); empty when absent, so every default applies. */
    public ConfigJson section(String key) {
        JsonNode n = node.get(key);
        if (n != null && !n.isNull() && !n.isObject()) {
            throw new ModelFormatException(source + ": '" + key + "' must be an object");
        }
        return new ConfigJson(n, source + " [" + key + "]");
    }

    public boolean has(String key) {
        JsonNode n = node.get(key);
        return n != null && !n.isNull();
    }

    public int getInt(String key, int fallback) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.canConvertToInt() || (!n.isIntegralNumber() && n.asDouble() != Math.rint(n.asDouble()))) {
            throw new ModelFormatException(source + ": '" + key + "' must be an integer, was " + n);
        }
        return n.asInt();
    }

    public double getDouble(String key, double fallback) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new ModelFormatException(source + ": '" + key + "' must be a number, was " + n);
        }
        return n.asDouble();
    }

    /** Whether {@code key} holds a value that turns something on: present, and not null, false, 0 or "". */
    public boolean isSet(String key) {
        JsonNode n = node.get(key);
        return n != null && !n.isNull() && !(n.isBoolean() && !n.asBoolean()) && !(n.isNumber() && n.asDouble() == 0)
                && !(n.isTextual() && n.asText().isEmpty());
    }

    public boolean getBoolean(String key, boolean fallback) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw new ModelFormatException(source + ": '" + key + "' must be true or false, was " + n);
        }
        return n.asBoolean();
    }

    public String getString(String key, String fallback) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isTextual()) {
            throw new ModelFormatException(source + ": '" + key + "' must be a string, was " + n);
        }
        return n.asText();
    }

    public String source() {
        return source;
    }

    /** Fails unless {@code value > 0}. */
    public int positive(String key, int value) {
        if (value <= 0) {
            throw new ModelFormatException(source + ": '" + key + "' must be positive, was " + value);
        }
        return value;
    }
}
