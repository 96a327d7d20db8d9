package dev.tailorpo.rewards.shapes;

import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;

import java.nio.file.Path;
import java.util.Set;
import java.util.function.Function;

/**
 * Providers of the shapes world's learned rewards. One option: {@code path}, the model folder
 * (default {@code <modelsDir>/shapes-aesthetic} or {@code <modelsDir>/shapes-alignment}; a relative
 * path is taken from the working directory); any other is a {@link dev.tailorpo.api.ConfigException}.
 */
public final class ShapesRewardProviders {
    private ShapesRewardProviders() {}

    public static final String PATH_OPTION = "path";

    /** Base of both providers. */
    abstract static class CriticProvider implements RewardProvider {
        private final CriticKind kind;
        private final String description;
        private final Function<CriticModel, RewardModel> factory;

        CriticProvider(CriticKind kind, String description, Function<CriticModel, RewardModel> factory) {
            this.kind = kind;
            this.description = description;
            this.factory = factory;
        }

        @Override
        public String id() {
            return kind.rewardId();
        }

        @Override
        public String description() {
            return description;
        }

        @Override
        public RewardModel create(RewardContext context) {
            context.requireKnown(id(), Set.of(PATH_OPTION));
            String path = context.options().get(PATH_OPTION);
            Path folder = path != null ? Path.of(path) : context.modelsDir().resolve(kind.rewardId());
            CriticModel model = CriticModel.load(folder, kind, context.device());
            return factory.apply(model);
        }
    }

    /** {@code shapes-aesthetic}. */
    public static final class Aesthetic extends CriticProvider {
        public Aesthetic() {
            super(CriticKind.AESTHETIC, "shapes world quality rating 1..10 by a learned critic, differentiable",
                    ShapesAesthetic::new);
        }
    }

    /** {@code shapes-alignment}. */
    public static final class Alignment extends CriticProvider {
        public Alignment() {
            super(CriticKind.ALIGNMENT, "shapes world prompt match: mean log-probability of the prompt's "
                    + "attributes by a learned classifier, differentiable", ShapesAlignment::new);
        }
    }
}
