package dev.tailorpo.rewards.clip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.diffusion.models.clip.ClipConfig;
import dev.tailorpo.diffusion.models.clip.ClipModel;

import java.nio.file.Path;
import java.util.List;

/**
 * The LAION aesthetic score as DDPO, D3PO and TailorPO use it: images in [0, 1] -> CLIP
 * preprocessing (bicubic resize of the shortest edge to the model's {@code image_size}, centre
 * crop, CLIP's mean/std; differentiable) -> CLIP image embeddings (ViT-L/14 for the real head) ->
 * L2 normalisation -> {@link AestheticHead}. Higher is better; real images score about 1 to 10 (the
 * head is affine, so the range is not bounded). Prompts are ignored.
 */
public final class LaionAesthetic extends ClipBackedReward {
    public static final String ID = "laion-aesthetic";

    private final AestheticHead head;

    private LaionAesthetic(NDManager manager, ClipModel clip, AestheticHead head) {
        super(manager, clip, new RewardInfo(ID, "Aesthetic", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY,
                true, true, clip.imageProcessor().size()), clip.imageProcessor()::preprocess);
        this.head = head;
    }

    /**
     * Loads the CLIP snapshot folder {@code clipDir} and the head weights {@code headFile} onto
     * {@code device}.
     *
     * @throws ModelFormatException when a file is missing or corrupt, or the head does not take the
     *     CLIP model's embedding width (naming {@code layers.0.weight})
     */
    public static LaionAesthetic load(Path clipDir, Path headFile, Device device) {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            AestheticHead head = AestheticHead.load(headFile, manager);
            ClipConfig config = ClipSnapshot.readConfig(clipDir);
            int embedWidth = config.projectionDim();
            if (head.inputWidth() != embedWidth) {   // checked before the (large) CLIP weights are read
                throw new ModelFormatException(headFile + ": 'layers.0.weight' takes " + head.inputWidth()
                        + "-d embeddings, but the CLIP model in " + clipDir + " gives " + embedWidth
                        + "-d image embeddings (projection_dim); the real head needs CLIP ViT-L/14");
            }
            ClipModel clip = ClipSnapshot.loadModel(clipDir, config, manager);
            return new LaionAesthetic(manager, clip, head);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The MLP head. */
    public AestheticHead head() {
        return head;
    }

    @Override
    NDArray scoreOnModelDevice(NDArray images, List<String> prompts) {
        NDArray scores = head.forward(ClipModel.l2Normalize(imageEmbeds(images)));
        return scores.reshape(scores.getShape().get(0));
    }
}
