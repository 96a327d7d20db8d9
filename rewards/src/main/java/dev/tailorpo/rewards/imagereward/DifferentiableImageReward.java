package dev.tailorpo.rewards.imagereward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.reward.DifferentiableReward;
import dev.tailorpo.diffusion.models.bert.BertTokenizer;
import dev.tailorpo.diffusion.models.blip.BlipImageProcessor;
import dev.tailorpo.rewards.image.Images;

import java.util.List;

/**
 * {@link ImageReward} with a tensor preprocessing, which keeps the autograd graph from the score
 * back to the pixels ({@code score_gard}, as ReFL trains with it): what TailorPO-G's guidance
 * needs. The images must be on the model's device (moving a tensor cuts its graph).
 */
public final class DifferentiableImageReward extends ImageReward implements DifferentiableReward {

    DifferentiableImageReward(NDManager manager, ImageRewardModel model, BertTokenizer tokenizer,
                              BlipImageProcessor processor) {
        super(manager, model, tokenizer, processor);
    }

    @Override
    public NDArray scoreTensor(NDArray images, List<String> prompts) {
        Images.checkBatch(ID, images, prompts);
        if (!images.getDevice().equals(device())) {
            throw new InvalidInputException(ID + ": images are on " + images.getDevice() + " but the model is on "
                    + device() + "; a differentiable score needs both on one device");
        }
        Images.requireFinite(ID, images);
        return scoreInScope(images, prompts);
    }
}
