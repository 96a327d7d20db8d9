package dev.tailorpo.diffusion.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Small tensor helpers shared by the CLIP towers. */
final class ClipTensors {
    private ClipTensors() {}

    /**
     * {@code param} as a new array in the manager of {@code activation}, still inside the autograd
     * graph. Needed where an op would otherwise have to start from a parameter (a concat with the
     * class token, the exp of the logit scale): DJL puts results in the first operand's manager,
     * and the model's manager must not grow with every forward.
     */
    static NDArray inScopeOf(NDArray activation, NDArray param) {
        return activation.getManager().zeros(param.getShape(), param.getDataType(), activation.getDevice()).add(param);
    }

    /** Token ids as int64, the type the embedding lookup wants (fixtures store them as float32). */
    static NDArray asIds(NDArray ids) {
        return ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false);
    }

    /** Divides each row (last axis) by its Euclidean norm, as CLIPModel does before the logits. */
    static NDArray l2Normalize(NDArray x) {
        return x.div(x.square().sum(new int[] {-1}, true).sqrt());
    }
}
