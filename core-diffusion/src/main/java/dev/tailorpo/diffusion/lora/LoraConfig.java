package dev.tailorpo.diffusion.lora;

import dev.tailorpo.api.ConfigException;

import java.util.List;

/**
 * What LoRA adapts and how strongly: rank r, alpha (the delta is scaled by alpha / r, as peft
 * does without rsLoRA) and the target layers, named by the end of their module path
 * ({@code to_q} matches {@code ...attn1.to_q}, {@code to_out.0} matches {@code ...attn2.to_out.0}).
 *
 * @param targets suffixes of the dotted paths of the {@code LinearLayer}s to adapt
 */
public record LoraConfig(int rank, float alpha, List<String> targets) {
    /** The attention projections diffusers' LoRA training scripts adapt. */
    public static final List<String> ATTENTION_TARGETS = List.of("to_q", "to_k", "to_v", "to_out.0");

    public LoraConfig {
        if (rank <= 0) {
            throw new ConfigException("LoRA rank must be positive, got " + rank);
        }
        if (!(alpha > 0) || Float.isInfinite(alpha)) {
            throw new ConfigException("LoRA alpha must be positive, got " + alpha);
        }
        if (targets == null || targets.isEmpty()) {
            throw new ConfigException("LoRA targets must name at least one layer");
        }
        targets = List.copyOf(targets);
    }

    /** Rank and alpha on the attention projections. */
    public LoraConfig(int rank, float alpha) {
        this(rank, alpha, ATTENTION_TARGETS);
    }

    /** The factor on B(A(x)). */
    public float scale() {
        return alpha / rank;
    }

    /** Whether the layer at {@code path} is a target. */
    public boolean matches(String path) {
        for (String t : targets) {
            if (path.equals(t) || path.endsWith("." + t)) {
                return true;
            }
        }
        return false;
    }
}
