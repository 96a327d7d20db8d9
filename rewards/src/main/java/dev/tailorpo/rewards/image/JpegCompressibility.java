package dev.tailorpo.rewards.image;

import ai.djl.ndarray.NDArray;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.api.reward.RewardModel;

import java.util.List;

/**
 * DDPO's JPEG rewards: incompressibility is the JPEG size in kB at quality 95; compressibility is
 * its negation (smaller files score higher). Not differentiable.
 */
public final class JpegCompressibility implements RewardModel {
    private final RewardInfo info;
    private final boolean negate;

    private JpegCompressibility(RewardInfo info, boolean negate) {
        this.info = info;
        this.negate = negate;
    }

    /** Negated JPEG size: higher is more compressible. */
    public static JpegCompressibility compressibility() {
        return new JpegCompressibility(new RewardInfo("jpeg-compressibility", "Compressibility",
                Double.NEGATIVE_INFINITY, 0, true, false, 0), true);
    }

    /** JPEG size: higher is less compressible. */
    public static JpegCompressibility incompressibility() {
        return new JpegCompressibility(new RewardInfo("jpeg-incompressibility", "Incompressibility",
                0, Double.POSITIVE_INFINITY, true, false, 0), false);
    }

    @Override
    public RewardInfo info() {
        return info;
    }

    @Override
    public float[] score(NDArray images, List<String> prompts) {
        Images.checkBatch(info.id(), images, prompts);
        float[] kb = JpegSize.kilobytes(images);
        if (negate) {
            for (int i = 0; i < kb.length; i++) {
                kb[i] = -kb[i];
            }
        }
        return kb;
    }
}
