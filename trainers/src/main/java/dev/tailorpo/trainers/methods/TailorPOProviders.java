package dev.tailorpo.trainers.methods;

import dev.tailorpo.api.trainer.MethodSettings;
import dev.tailorpo.api.trainer.TrainerProvider;
import dev.tailorpo.api.trainer.TrainingMethod;
import dev.tailorpo.trainers.loss.DpoLoss;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code tailorpo} and {@code tailorpo-g} providers with the defaults of ALGORITHMS.md: 5 of
 * 20 steps trained (step indices 0, 4, 8, 12, 16, the paper's t = 20, 16, 12, 8, 4), beta 0.1,
 * ratio clamp 0.1, lr 3e-5; for TailorPO-G delta 0.5 and eta_t on a cosine from 0.1 (noisiest
 * trained step) to 0.2 (cleanest), with the gradient through the UNet.
 */
public final class TailorPOProviders {
    private TailorPOProviders() {}

    static Map<String, Object> common() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("train_steps", List.of(0, 4, 8, 12, 16));
        d.put("beta", 0.1);
        d.put("eps_clip", 0.1);
        d.put("lr", 3e-5);
        return d;
    }

    static DpoLoss loss(MethodSettings s) {
        return new DpoLoss(s.getDouble("beta"), s.getDouble("eps_clip"));
    }

    /** {@code tailorpo}: step-wise ranking of two candidates from a shared x_t, DPO loss. */
    public static final class Plain implements TrainerProvider {
        @Override
        public String id() {
            return "tailorpo";
        }

        @Override
        public String description() {
            return "TailorPO: rank two samples from one x_t by the step-wise reward, DPO loss (Ren et al. 2025)";
        }

        @Override
        public Map<String, Object> defaults() {
            return common();
        }

        @Override
        public TrainingMethod<?> create(MethodSettings settings) {
            return new TailorPO(TailorPO.Settings.from(settings, false), loss(settings));
        }
    }

    /** {@code tailorpo-g}: TailorPO with the reward-gradient-guided preferred sample. */
    public static final class Guided implements TrainerProvider {
        @Override
        public String id() {
            return "tailorpo-g";
        }

        @Override
        public String description() {
            return "TailorPO-G: TailorPO plus a preferred sample pushed up the reward gradient";
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> d = common();
            d.put("delta", 0.5);
            d.put("eta_start", 0.1);
            d.put("eta_end", 0.2);
            d.put("eps_constant", false);
            return d;
        }

        @Override
        public TrainingMethod<?> create(MethodSettings settings) {
            return new TailorPO(TailorPO.Settings.from(settings, true), loss(settings));
        }
    }
}
