package dev.tailorpo.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.trainer.Conditioning;

import java.util.ArrayList;
import java.util.List;

/**
 * Prompts encoded for classifier-free guidance: the text states of each prompt and of the negative
 * prompt (the empty prompt by default), row i belonging to prompt i.
 *
 * @param prompts the prompts
 * @param conditional (B, L, D) states of the prompts
 * @param unconditional (B, L, D) states of the negative prompts
 */
public record PromptEmbeddings(List<String> prompts, NDArray conditional, NDArray unconditional) implements Conditioning {
    public PromptEmbeddings {
        prompts = List.copyOf(prompts);
    }

    /** Encodes {@code prompts} and as many empty negative prompts into {@code manager}. */
    public static PromptEmbeddings encode(DiffusionModel model, List<String> prompts, NDManager manager) {
        List<String> negatives = new ArrayList<>();
        prompts.forEach(p -> negatives.add(""));
        return new PromptEmbeddings(prompts, model.encodeText(prompts, manager), model.encodeText(negatives, manager));
    }

    @Override
    public PromptEmbeddings select(int... rows) {
        List<String> p = new ArrayList<>();
        long[] idx = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            p.add(prompts.get(rows[i]));
            idx[i] = rows[i];
        }
        NDManager m = conditional.getManager();
        NDArray index = m.create(idx);
        NDArray c = conditional.get(index);
        NDArray u = unconditional.get(index);
        index.close();
        return new PromptEmbeddings(p, c, u);
    }

    @Override
    public PromptEmbeddings concat(Conditioning other) {
        if (!(other instanceof PromptEmbeddings o)) {
            throw new InvalidInputException("cannot concatenate prompt embeddings with " + other.getClass().getName());
        }
        List<String> p = new ArrayList<>(prompts);
        p.addAll(o.prompts);
        return new PromptEmbeddings(p, conditional.concat(o.conditional), unconditional.concat(o.unconditional));
    }
}
