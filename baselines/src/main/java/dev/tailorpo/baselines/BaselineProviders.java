package dev.tailorpo.baselines;

import dev.tailorpo.api.trainer.MethodSettings;
import dev.tailorpo.api.trainer.TrainerProvider;
import dev.tailorpo.api.trainer.TrainingMethod;
import dev.tailorpo.trainers.loss.DpoLoss;
import dev.tailorpo.trainers.loss.PpoClipLoss;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The baseline trainer providers {@code d3po}, {@code spo} and {@code ddpo}, with the defaults of ALGORITHMS.md. */
public final class BaselineProviders {
    private BaselineProviders() {}

    /**
     * {@code d3po}: beta 0.1, ratio clamp eps_clip 0.1, lr 3e-5 (ALGORITHMS.md "D3PO"); all T steps
     * are trained, in the engine's shuffled order.
     */
    public static final class D3po implements TrainerProvider {
        @Override
        public String id() {
            return "d3po";
        }

        @Override
        public String description() {
            return "D3PO: two trajectories from one x_T ranked by their final images, every step a pair (Yang et al. 2024)";
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("beta", 0.1);
            d.put("eps_clip", 0.1);
            d.put("lr", 3e-5);
            return d;
        }

        @Override
        public TrainingMethod<?> create(MethodSettings settings) {
            return new D3PO(new DpoLoss(settings.getDouble("beta"), settings.getDouble("eps_clip")));
        }
    }

    /**
     * {@code spo}: divert_start_step 4, candidates (k) 4, threshold 0.3, beta 10, eps_clip 0.1, lr
     * 6e-5 (ALGORITHMS.md "SPO", as SPO's SD 1.5 config); train_steps empty = every step from
     * divert_start_step to the end.
     */
    public static final class Spo implements TrainerProvider {
        @Override
        public String id() {
            return "spo";
        }

        @Override
        public String description() {
            return "SPO: k samples from one x_t, best vs worst by the step-wise reward, random continuation (Liang et al. 2024)";
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("divert_start_step", 4);
            d.put("candidates", 4);
            d.put("threshold", 0.3);
            d.put("train_steps", List.of());
            d.put("beta", 10.0);
            d.put("eps_clip", 0.1);
            d.put("lr", 6e-5);
            return d;
        }

        @Override
        public TrainingMethod<?> create(MethodSettings settings) {
            return new SPO(SPO.Settings.from(settings), new DpoLoss(settings.getDouble("beta"), settings.getDouble("eps_clip")));
        }
    }

    /**
     * {@code ddpo}: lr 3e-4, ratio clip_range 1e-4, adv_clip_max 5 (ALGORITHMS.md "DDPO"); per-prompt
     * statistics as ddpo-pytorch (buffer_size 16, min_count 16); images_per_prompt 4, our choice (see
     * {@link DDPO}). All steps are trained.
     */
    public static final class Ddpo implements TrainerProvider {
        @Override
        public String id() {
            return "ddpo";
        }

        @Override
        public String description() {
            return "DDPO: PPO-clip on per-step log-probs, advantages normalised per prompt (Black et al. 2024)";
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("lr", 3e-4);
            d.put("clip_range", 1e-4);
            d.put("adv_clip_max", 5.0);
            d.put("images_per_prompt", 4);
            d.put("buffer_size", 16);
            d.put("min_count", 16);
            return d;
        }

        @Override
        public TrainingMethod<?> create(MethodSettings settings) {
            return new DDPO(settings.getInt("images_per_prompt"),
                    new PpoClipLoss(settings.getDouble("clip_range"), settings.getDouble("adv_clip_max")),
                    new PerPromptStatTracker(settings.getInt("buffer_size"), settings.getInt("min_count")));
        }
    }
}
