package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.tailorpo.diffusion.nn.Conv2dLayer;
import dev.tailorpo.diffusion.nn.EmbeddingLayer;
import dev.tailorpo.diffusion.nn.Init;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.diffusion.nn.Param;

/**
 * transformers' {@code CLIPVisionEmbeddings}: non-overlapping patches embedded by a bias-free
 * convolution, a learned class token prepended, learned absolute position embeddings added.
 */
public final class ClipVisionEmbeddings extends Module {
    private final Param classEmbedding;
    private final Conv2dLayer patchEmbedding;
    private final EmbeddingLayer positionEmbedding;
    private final int numPositions;

    public ClipVisionEmbeddings(ClipVisionConfig c) {
        this.numPositions = c.numPositions();
        this.classEmbedding = param("class_embedding", Init.normal(1.0), c.hiddenSize());
        this.patchEmbedding = child("patch_embedding",
                new Conv2dLayer(c.numChannels(), c.hiddenSize(), c.patchSize(), c.patchSize(), 0, false));
        this.positionEmbedding = child("position_embedding", new EmbeddingLayer(numPositions, c.hiddenSize()));
    }

    /** @param pixels (B, C, S, S) normalised pixels at the configured image size; returns (B, 1 + P, D) */
    public NDArray forward(NDArray pixels) {
        NDArray patches = patchEmbedding.forward(pixels);  // (B, D, g, g)
        long b = patches.getShape().get(0);
        long d = patches.getShape().get(1);
        patches = patches.reshape(b, d, -1).transpose(0, 2, 1);  // (B, g*g, D)
        // the class token copied into the activation's manager, so the concat's result lands there
        NDArray cls = ClipTensors.inScopeOf(patches, classEmbedding.array()).reshape(1, 1, d).repeat(0, b);
        NDArray x = cls.concat(patches, 1);
        NDArray positions = pixels.getManager().arange(0, numPositions, 1, DataType.INT64).reshape(1, numPositions);
        return x.add(positionEmbedding.forward(positions.toDevice(pixels.getDevice(), false)));
    }
}
