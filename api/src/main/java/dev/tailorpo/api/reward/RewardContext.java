package dev.tailorpo.api.reward;

import ai.djl.Device;
import dev.tailorpo.api.ConfigException;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a {@link RewardProvider} gets to build its model.
 *
 * <p>Options arrive as strings. The typed accessors ({@link #integerOption}, {@link #realOption},
 * {@link #booleanOption}) are the one parser for them, so that every reward, built in or plugin
 * (plugins are compiled against this module only), reads a value the same way and reports a bad one
 * the same way: a {@link ConfigException} reading {@code "<reward> reward: option '<key>' must be …,
 * got '<value>'"}. Each takes the reward's name for that message, since the context does not know
 * which reward it is for. {@link #requireKnown} is the one check that rejects options a reward does
 * not take.
 *
 * @param modelsDir the folder the framework keeps model snapshots in; a provider finds its default
 *     weights under it
 * @param device where to put tensors
 * @param options provider-specific settings from the user's config (for example a weights path or a
 *     server URL); unknown options must be rejected with a message naming them, which
 *     {@link #requireKnown} does
 */
public record RewardContext(Path modelsDir, Device device, Map<String, String> options) {
    public RewardContext {
        options = Map.copyOf(options);
    }

    /**
     * Rejects the options that are not in {@code known}: a provider calls this first in
     * {@code create}, so that a misspelt key fails instead of being silently ignored.
     *
     * <p>The message reads {@code "<reward> reward: unknown option 'colour'; known options: id,
     * model"} (or {@code "unknown options 'a', 'b'"} for several); both lists are sorted, so it does not
     * depend on the order of the maps and sets.
     *
     * @param reward the reward's name, for the error message (for example {@code "onnx"})
     * @param known every option the reward takes
     * @throws ConfigException when an option is set whose key is not in {@code known}
     */
    public void requireKnown(String reward, Set<String> known) {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new ConfigException(reward + " reward: unknown option" + (unknown.size() > 1 ? "s " : " ")
                    + unknown.stream().map(k -> "'" + k + "'").collect(Collectors.joining(", "))
                    + "; known options: " + (known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known))));
        }
    }

    /** An option's value, or {@code fallback} when it is not set. */
    public String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }

    /**
     * An integer option (surrounding blanks ignored), or {@code fallback} when it is not set.
     *
     * @param reward the reward's name, for the error message (for example {@code "onnx"})
     * @param fallback the value when the option is absent; may be null, and is not checked against
     *     {@code least}
     * @param least the smallest value allowed
     * @throws ConfigException when the value is not an {@code int} or is below {@code least}
     */
    public Integer integerOption(String reward, String key, Integer fallback, int least) {
        String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= least) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below, like a value out of range
        }
        throw bad(reward, key, "an integer >= " + least, v);
    }

    /**
     * A number option (surrounding blanks ignored; {@code Infinity} and {@code -Infinity} allowed,
     * NaN not), or {@code fallback} when it is not set.
     *
     * @param reward the reward's name, for the error message (for example {@code "onnx"})
     * @param fallback the value when the option is absent; may be null
     * @throws ConfigException when the value is not a number
     */
    public Double realOption(String reward, String key, Double fallback) {
        String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (!Double.isNaN(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below, like NaN
        }
        throw bad(reward, key, "a number", v);
    }

    /**
     * A {@code true}/{@code false} option (any case, surrounding blanks ignored), or {@code fallback}
     * when it is not set.
     *
     * @param reward the reward's name, for the error message (for example {@code "onnx"})
     * @throws ConfigException when the value is neither
     */
    public boolean booleanOption(String reward, String key, boolean fallback) {
        String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(reward, key, "true or false", v);
        };
    }

    private static ConfigException bad(String reward, String key, String what, String value) {
        return new ConfigException(reward + " reward: option '" + key + "' must be " + what + ", got '" + value + "'");
    }
}
