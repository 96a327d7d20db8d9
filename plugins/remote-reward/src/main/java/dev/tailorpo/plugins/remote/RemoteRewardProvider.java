package dev.tailorpo.plugins.remote;

import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code remote}: a reward computed by an HTTP server speaking {@code tailorpo-reward/1} (README.md).
 * Options: {@code url} (required, http or https), {@code timeout_ms} (60000), {@code retries} (2),
 * {@code encoding} ({@code png} or {@code f32}; png), {@code id} ({@code remote}), {@code name}
 * ({@code Remote}), {@code higher_is_better} (true), {@code min} and {@code max} (unbounded). Not
 * differentiable: gradients do not cross HTTP. Creating the reward does not contact the server.
 */
public final class RemoteRewardProvider implements RewardProvider {
    private static final Set<String> KEYS = Set.of("url", "timeout_ms", "retries", "encoding", "id", "name",
            "higher_is_better", "min", "max");

    @Override
    public String id() {
        return "remote";
    }

    @Override
    public String description() {
        return "scores from an HTTP reward server (protocol tailorpo-reward/1), not differentiable";
    }

    @Override
    public RewardModel create(RewardContext context) {
        context.requireKnown(id(), KEYS);
        Map<String, String> o = context.options();
        URI url = url(o.get("url"));
        int timeout = context.integerOption(id(), "timeout_ms", 60_000, 1);
        int retries = context.integerOption(id(), "retries", 2, 0);
        ImageCodec codec = switch (o.getOrDefault("encoding", "png").trim().toLowerCase(Locale.ROOT)) {
            case "png" -> ImageCodec.PNG;
            case "f32" -> ImageCodec.F32;
            default -> throw new ConfigException("remote reward: option 'encoding' must be png or f32, got '" + o.get("encoding") + "'");
        };
        boolean higherIsBetter = context.booleanOption(id(), "higher_is_better", true);
        double min = context.realOption(id(), "min", Double.NEGATIVE_INFINITY);
        double max = context.realOption(id(), "max", Double.POSITIVE_INFINITY);
        if (!(min <= max)) {
            throw new ConfigException("remote reward: option 'min' " + min + " is not <= 'max' " + max);
        }
        RewardInfo info = new RewardInfo(o.getOrDefault("id", "remote"), o.getOrDefault("name", "Remote"),
                min, max, higherIsBetter, false, 0);
        return new RemoteReward(info, url, Duration.ofMillis(timeout), retries, codec);
    }

    private static URI url(String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException("remote reward: option 'url' (the server's score endpoint) is required");
        }
        try {
            URI u = URI.create(value.trim());
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL with a host");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("remote reward: option 'url' is not a usable http(s) URL: '" + value + "' (" + e.getMessage() + ")");
        }
    }
}
