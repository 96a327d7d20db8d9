package dev.tailorpo.rewards;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.reward.RewardContext;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The options of one reward, checked against the names it knows. Paths given in options resolve
 * against the working directory, like every other path a user types; errors are
 * {@link ConfigException}s naming the reward and the option.
 */
public final class RewardOptions {
    private final String rewardId;
    private final RewardContext context;

    public RewardOptions(String rewardId, RewardContext context, Set<String> known) {
        this.rewardId = rewardId;
        this.context = context;
        context.requireKnown(rewardId, known);
    }

    /** The folder named by a required option; {@code what} says what it should hold. */
    public Path requiredFolder(String key, String what) {
        return folder(key, required(key, what));
    }

    /** The folder named by an optional option, or null when it is not set. */
    public Path optionalFolder(String key) {
        String value = context.options().get(key);
        return value == null || value.isBlank() ? null : folder(key, value);
    }

    /** The file named by an optional option, or null when it is not set. */
    public Path optionalFile(String key) {
        String value = context.options().get(key);
        if (value == null || value.isBlank()) {
            return null;
        }
        Path p = path(key, value);
        if (!Files.isRegularFile(p)) {
            throw new ConfigException("reward '" + rewardId + "': option '" + key + "': "
                    + (Files.isDirectory(p) ? "is a folder, not a file: " : "no such file: ") + p);
        }
        return p;
    }

    /** The file named by a required option; {@code what} says what it should hold. */
    public Path requiredFile(String key, String what) {
        required(key, what);
        return optionalFile(key);
    }

    /** The value of a required option, which must be set and not blank. */
    private String required(String key, String what) {
        String value = context.options().get(key);
        if (value == null || value.isBlank()) {
            throw new ConfigException("reward '" + rewardId + "': option '" + key + "' is required: " + what
                    + " (nothing is downloaded)");
        }
        return value;
    }

    /**
     * The file named by an optional option, else {@code fallback}, which must exist; {@code what}
     * says what the option names, for the error when neither is there.
     */
    public Path fileOr(String key, Path fallback, String what) {
        Path p = optionalFile(key);
        if (p != null) {
            return p;
        }
        if (!Files.isRegularFile(fallback)) {
            throw new ConfigException("reward '" + rewardId + "': option '" + key + "' is not set and the default "
                    + fallback + " does not exist; set '" + key + "' to " + what);
        }
        return fallback;
    }

    /** The value of an option that must be one of {@code allowed}, else {@code fallback}. */
    public String choice(String key, List<String> allowed, String fallback) {
        String value = context.options().get(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String v = value.trim();
        if (!allowed.contains(v)) {
            throw new ConfigException("reward '" + rewardId + "': option '" + key + "' must be one of "
                    + String.join(", ", allowed) + ", got '" + value + "'");
        }
        return v;
    }

    private Path folder(String key, String value) {
        Path p = path(key, value);
        if (!Files.isDirectory(p)) {
            throw new ConfigException("reward '" + rewardId + "': option '" + key + "': "
                    + (Files.exists(p) ? "not a folder: " : "no such folder: ") + p);
        }
        return p;
    }

    private Path path(String key, String value) {
        try {
            return Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException("reward '" + rewardId + "': option '" + key + "': not a path: " + value, e);
        }
    }
}
