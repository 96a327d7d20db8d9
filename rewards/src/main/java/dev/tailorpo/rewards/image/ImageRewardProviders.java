package dev.tailorpo.rewards.image;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;

import java.util.function.Supplier;

/** Providers of the rewards that need no weights: JPEG (in)compressibility and colourfulness. */
public final class ImageRewardProviders {
    private ImageRewardProviders() {}

    /** Base of a provider with no options. */
    abstract static class NoOptions implements RewardProvider {
        private final String id;
        private final String description;
        private final Supplier<RewardModel> factory;

        NoOptions(String id, String description, Supplier<RewardModel> factory) {
            this.id = id;
            this.description = description;
            this.factory = factory;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String description() {
            return description;
        }

        @Override
        public RewardModel create(RewardContext context) {
            if (!context.options().isEmpty()) {
                throw new InvalidInputException("reward '" + id + "' takes no options, got " + context.options().keySet());
            }
            return factory.get();
        }
    }

    /** {@code jpeg-compressibility}. */
    public static final class Compressibility extends NoOptions {
        public Compressibility() {
            super("jpeg-compressibility", "negated JPEG size in kB at quality 95 (DDPO)", JpegCompressibility::compressibility);
        }
    }

    /** {@code jpeg-incompressibility}. */
    public static final class Incompressibility extends NoOptions {
        public Incompressibility() {
            super("jpeg-incompressibility", "JPEG size in kB at quality 95 (DDPO)", JpegCompressibility::incompressibility);
        }
    }

    /** {@code colorfulness}. */
    public static final class ColorfulnessProvider extends NoOptions {
        public ColorfulnessProvider() {
            super("colorfulness", "Hasler-Suesstrunk colourfulness, differentiable", Colorfulness::new);
        }
    }
}
