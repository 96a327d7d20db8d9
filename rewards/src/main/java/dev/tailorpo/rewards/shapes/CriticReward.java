package dev.tailorpo.rewards.shapes;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.reward.DifferentiableReward;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.rewards.image.Images;

import java.util.List;

/**
 * A reward computed by a frozen {@link CriticNet}: images of any size are resized to the critic's
 * input side inside the graph, so d score / d pixels reaches the caller's images.
 */
abstract sealed class CriticReward implements DifferentiableReward permits ShapesAesthetic, ShapesAlignment {
    private final CriticModel model;
    private final RewardInfo info;
    private final Device device;

    CriticReward(CriticModel model, RewardInfo info) {
        this.model = model;
        this.info = info;
        this.device = model.net().namedParameters().values().iterator().next().array().getDevice();
    }

    @Override
    public final RewardInfo info() {
        return info;
    }

    /** The loaded critic (its training provenance included). */
    public final CriticModel model() {
        return model;
    }

    @Override
    public final NDArray scoreTensor(NDArray images, List<String> prompts) {
        Images.checkBatch(info.id(), images, prompts);
        if (!images.getDevice().equals(device)) {
            // toDevice would silently cut the graph the caller wants gradients through
            throw new InvalidInputException(info.id() + ": images are on " + images.getDevice()
                    + " but the model is on " + device + "; move them first");
        }
        NDArray outputs = model.net().forward(CriticInput.resize(images, model.net().config().imageSize()));
        return fromOutputs(outputs, prompts);
    }

    /** The score (B) from the critic's outputs (B, outputs); keeps the graph. */
    abstract NDArray fromOutputs(NDArray outputs, List<String> prompts);

    @Override
    public final float[] score(NDArray images, List<String> prompts) {
        try (NDManager scope = images.getManager().newSubManager(device)) {
            NDArray input = images.getDevice().equals(device) ? images.stopGradient() : images.toDevice(device, true);
            input.attach(scope);
            return scoreTensor(input, prompts).toFloatArray();
        }
    }

    @Override
    public final void close() {
        model.close();
    }
}
