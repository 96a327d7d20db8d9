package dev.tailorpo.trainers.methods;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.scheduler.Gaussian;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.DiffusionPolicy.Branch;
import dev.tailorpo.api.trainer.Experience;
import dev.tailorpo.api.trainer.PreferencePair;
import dev.tailorpo.api.trainer.TrainingContext;
import dev.tailorpo.api.trainer.TrainingMethod;
import dev.tailorpo.api.trainer.StepwiseReward;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.lora.Lora;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.optim.Gradients;
import dev.tailorpo.diffusion.nn.Param;
import dev.tailorpo.diffusion.pipeline.DiffusionModel;
import dev.tailorpo.diffusion.random.KeyedRandom;
import dev.tailorpo.diffusion.pipeline.GradMode;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.diffusion.testing.TestData;
import dev.tailorpo.rewards.clip.ClipRewardProviders;
import dev.tailorpo.trainers.engine.EngineContext;
import dev.tailorpo.trainers.loss.DpoLoss;
import dev.tailorpo.trainers.loss.PairObjective;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import dev.tailorpo.trainers.policy.PolicyStepwiseReward;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One whole TailorPO / TailorPO-G step on the miniature SD 1.5 snapshot against the reference
 * computed with diffusers (testdata/sd-tiny/trainer): the LoRA policy's and the reference's guided
 * noise and Gaussian, the two candidates, their step-wise aesthetic rewards through VAE, CLIP and
 * the MLP head, the plain and clamped DPO losses with the gradients of all 256 LoRA tensors, and the
 * guided x+ / x- with the gradient through the UNet and with the noise held constant.
 */
class TrainerStepParityTest {
    private static final String PROMPT = "a small red circle on a black background";
    private static final int STEP = 4;
    private static NDManager manager;
    private static SafeTensorsFile ref;
    private static GuidedPolicy policy;
    private static RewardModel reward;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        DiffusionModel model = DiffusionModel.load(TestData.sdTiny(), manager);
        Lora lora = Lora.attach(model.unet(), new LoraConfig(4, 4f), manager, 0);
        lora.load(TestData.sdTiny("trainer", "pytorch_lora_weights.safetensors"), manager);
        policy = GuidedPolicy.ddim(model, new SamplingSettings(10, 1.0, 5.0), lora);
        reward = new ClipRewardProviders.LaionAestheticProvider().create(new RewardContext(TestData.repo(), Device.cpu(),
                Map.of("clip", TestData.sdTiny("clip").toString(),
                        "head", TestData.sdTiny("aesthetic", "model.safetensors").toString())));
        ref = SafeTensorsFile.open(TestData.sdTiny("trainer", "reference.safetensors"));
    }

    @AfterAll
    static void close() {
        reward.close();
        ref.close();
        manager.close();
    }

    private static NDArray r(String key, NDManager m) {
        return ref.load(key, m);
    }

    @Test
    void policyReferenceCandidatesAndStepwiseRewards() {
        try (NDManager m = manager.newSubManager()) {
            Conditioning c = policy.encode(List.of(PROMPT), m);
            NDArray xt = r("x_t", m);
            int t = policy.timestep(STEP);
            assertEquals(501, t);
            try (GradMode g = GradMode.disabled()) {
                NDArray eps = policy.sampler().denoiser().predict((dev.tailorpo.diffusion.pipeline.PromptEmbeddings) c, xt, t, 5.0);
                TestData.assertClose(r("eps_policy", m), eps, 1e-4, 1e-4, "eps_policy");
                policy.lora().setEnabled(false);
                NDArray epsRef = policy.sampler().denoiser().predict((dev.tailorpo.diffusion.pipeline.PromptEmbeddings) c, xt, t, 5.0);
                policy.lora().setEnabled(true);
                TestData.assertClose(r("eps_reference", m), epsRef, 1e-4, 1e-4, "eps_reference");
            }
            Gaussian pol = policy.transition(c, xt, STEP, Branch.POLICY);
            Gaussian refG = policy.transition(c, xt, STEP, Branch.REFERENCE);
            TestData.assertClose(r("mean_policy", m), pol.mean(), 1e-4, 1e-4, "mean_policy");
            TestData.assertClose(r("mean_reference", m), refG.mean(), 1e-4, 1e-4, "mean_reference");
            assertEquals(r("std", m).getFloat(0), pol.std().getFloat(), 1e-6);
            NDArray z = r("z", m);
            NDArray candidates = r("candidates", m);
            StepwiseReward sr = new PolicyStepwiseReward(policy, reward);
            float[] expected = r("stepwise_rewards", m).toFloatArray();
            for (int i = 0; i < 2; i++) {
                NDArray cand = pol.sample(z.get(i));
                TestData.assertClose(candidates.get(i), cand, 1e-4, 1e-4, "candidate " + i);
                assertEquals(expected[i], sr.score(c, cand, STEP + 1)[0], 1e-5, "step-wise reward " + i);
            }
        }
    }

    /**
     * The reward gradient taken one row per pass (engine.minibatch_size 1) and stage by stage with
     * recomputed forwards (engine.reward_gradient_checkpointing), what brings the 512 x 512 reward
     * gradient from above 24 GB to 13.8 GB (docs/RESULTS.md), is the gradient of the whole batch through one graph: each row's step-wise
     * reward depends on its own row only, and the staged backward differentiates the same function.
     */
    @ParameterizedTest(name = "rows per pass {0}, stage by stage {1}")
    @CsvSource({"1, false", "0, true", "1, true"})
    void rewardGradientInLessMemoryEqualsTheWholeBatchThroughOneGraph(int rowsPerPass, boolean stageByStage) {
        try (NDManager m = manager.newSubManager()) {
            Conditioning c = policy.encode(List.of(PROMPT, "a watercolor of a lighthouse"), m);
            NDArray x = r("candidates", m).squeeze(1);   // the two candidates of one prompt, as two rows
            StepwiseReward.Gradient whole = new PolicyStepwiseReward(policy, reward).gradient(c, x, STEP + 1, false);
            StepwiseReward.Gradient less = new PolicyStepwiseReward(policy, reward, rowsPerPass, stageByStage)
                    .gradient(c, x, STEP + 1, false);
            assertArrayEquals(whole.scores(), less.scores(), 1e-6f * Math.abs(whole.scores()[0]) + 1e-7f);
            // passes of fewer rows run the same ops; stage by stage the guidance branches are summed
            // after their own passes, which rounds differently in float32
            double atol = (stageByStage ? 1e-5 : 1e-6) * maxAbs(whole.grad());
            TestData.assertClose(whole.grad(), less.grad(), atol, 1e-4, "d r / d x");
            assertTrue(maxAbs(whole.grad()) > 0, "a gradient reached x");
            // the passes through the UNet also left d r / d theta in the adapters (the engine clears it)
            Gradients.scale(policy.lora().namedParameters().values(), 0, m);
        }
    }

    private static double maxAbs(NDArray a) {
        double max = 0;
        for (float v : a.toFloatArray()) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    @Test
    void dpoLossesLogProbsAndLoraGradients() {
        for (String variant : new String[] {"plain", "clamped"}) {
            try (NDManager m = manager.newSubManager()) {
                Conditioning c = policy.encode(List.of(PROMPT), m);
                NDArray xt = r("x_t", m);
                NDArray cand = r("candidates", m);
                PreferencePair pair = new PreferencePair(c, STEP, xt, cand.get(1), xt, cand.get(0));   // winner 1
                DpoLoss dpo = new DpoLoss(0.1, variant.equals("plain") ? 0 : 0.1);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    PairObjective.LogProbs lp = PairObjective.logProbs(policy, STEP, List.of(pair), m);
                    float[] pol = r(variant + "_logp_policy", m).toFloatArray();
                    float[] rf = r(variant + "_logp_reference", m).toFloatArray();
                    assertEquals(pol[0], lp.policyW().getFloat(0), 1e-4 * Math.abs(pol[0]), variant + " logp policy w");
                    assertEquals(pol[1], lp.policyL().getFloat(0), 1e-4 * Math.abs(pol[1]), variant + " logp policy l");
                    assertEquals(rf[0], lp.referenceW().getFloat(0), 1e-4 * Math.abs(rf[0]), variant + " logp ref w");
                    assertEquals(rf[1], lp.referenceL().getFloat(0), 1e-4 * Math.abs(rf[1]), variant + " logp ref l");
                    NDArray loss = dpo.mean(lp.policyW(), lp.referenceW(), lp.policyL(), lp.referenceL());
                    assertEquals(r(variant + "_loss", m).getFloat(0), loss.getFloat(), 1e-6, variant + " loss");
                    gc.backward(loss);
                }
                assertEquals(0, worstGradientError(variant, m), 2e-3, variant + ": worst relative LoRA-gradient error over 256 tensors");
            }
        }
    }

    /**
     * The shared objective over a minibatch whose pairs all have one step index (a single group,
     * whose per-pair losses are not concatenated with others), through the engine's gradient
     * accumulation, keeps the graph to the LoRA weights. With loss gradient checkpointing
     * (engine.loss_gradient_checkpointing) the loss is built on a policy mean without the UNet's
     * graph, and {@code finishBackward} recomputes each guidance branch with its graph: the loss and
     * the LoRA gradients are still the fixture's.
     */
    @ParameterizedTest(name = "loss gradient checkpointing {0}")
    @ValueSource(booleans = {false, true})
    void pairObjectiveOfASingleStepGroupGivesTheFixtureLossAndGradients(boolean checkpointing) {
        GuidedPolicy p = policy.withLossGradientCheckpointing(checkpointing);
        try (NDManager m = manager.newSubManager()) {
            Conditioning c = p.encode(List.of(PROMPT), m);
            NDArray xt = r("x_t", m);
            NDArray cand = r("candidates", m);
            PreferencePair pair = new PreferencePair(c, STEP, xt, cand.get(1), xt, cand.get(0));
            EngineContext ctx = new EngineContext(p, reward, new PolicyStepwiseReward(p, reward), 0, m, new KeyedRandom(0));
            double loss = ctx.accumulateGradient(new PairLoss(new PairObjective(new DpoLoss(0.1, 0.1))), List.of(pair), 0);
            assertEquals(r("clamped_loss", m).getFloat(0), loss, 1e-6, "loss");
            assertEquals(0, worstGradientError("clamped", m), 2e-3, "worst relative LoRA-gradient error");
        }
    }

    /**
     * D3PO's pairs start from two states, one batch of both transitions: checkpointed, over two
     * minibatches, their gradients equal the whole graph's over one.
     */
    @Test
    void lossGradientCheckpointingOfPairsFromTwoStatesEqualsTheWholeGraph() {
        try (NDManager m = manager.newSubManager()) {
            Conditioning c = policy.encode(List.of(PROMPT), m);
            NDArray xt = r("x_t", m);
            NDArray cand = r("candidates", m);
            List<PreferencePair> pairs = List.of(
                    new PreferencePair(c, STEP, xt, cand.get(1), cand.get(1), cand.get(0)),
                    new PreferencePair(c, STEP, cand.get(0), xt, xt, cand.get(1)));
            PairLoss method = new PairLoss(new PairObjective(new DpoLoss(0.1, 0)));
            double[] losses = new double[2];
            Map<String, NDArray> gradients = new LinkedHashMap<>();
            double worst = 0;
            for (boolean checkpointing : new boolean[] {false, true}) {
                GuidedPolicy p = policy.withLossGradientCheckpointing(checkpointing);
                EngineContext ctx = new EngineContext(p, reward, new PolicyStepwiseReward(p, reward), 0, m, new KeyedRandom(0));
                losses[checkpointing ? 1 : 0] = ctx.accumulateGradient(method, pairs, checkpointing ? 1 : 0);
                for (Map.Entry<String, Param> e : policy.lora().namedParameters().entrySet()) {
                    NDArray g = e.getValue().array().getGradient();
                    g.attach(m);
                    if (checkpointing) {
                        NDArray whole = gradients.get(e.getKey());
                        worst = Math.max(worst, whole.sub(g).norm().getFloat() / Math.max(1e-12, whole.norm().getFloat()));
                    } else {
                        gradients.put(e.getKey(), g.duplicate());
                    }
                    g.subi(g);
                }
            }
            assertEquals(losses[0], losses[1], 1e-6 * Math.abs(losses[0]), "summed loss");
            assertTrue(gradients.values().stream().anyMatch(g -> maxAbs(g) > 0), "a gradient reached the adapters");
            // the guidance branches are summed after their own backward passes, which rounds differently in float32
            assertEquals(0, worst, 1e-4, "worst relative L2 error of a LoRA gradient over 256 tensors");
        }
    }

    /** The shared pair objective as a method whose samples are pairs; only its loss is used. */
    private record PairLoss(PairObjective objective) implements TrainingMethod<PreferencePair> {
        @Override
        public Experience<PreferencePair> collect(TrainingContext ctx, List<String> prompts) {
            throw new UnsupportedOperationException("only the loss is exercised");
        }

        @Override
        public NDArray loss(TrainingContext ctx, List<PreferencePair> minibatch) {
            return objective.loss(ctx, minibatch);
        }
    }

    /** The largest relative difference of a LoRA gradient from the fixture's; zeroes the gradients. */
    private static double worstGradientError(String variant, NDManager m) {
        double worst = 0;
        for (Map.Entry<String, Param> e : policy.lora().namedParameters().entrySet()) {
            NDArray g = e.getValue().array().getGradient();
            g.attach(m);
            NDArray expected = r(variant + "_grad." + e.getKey(), m);
            double scale = Math.max(1e-6, expected.abs().max().getFloat());
            worst = Math.max(worst, TestData.maxAbsDiff(expected, g) / scale);
            g.subi(g);
        }
        return worst;
    }

    @Test
    void guidedSamplesWithGradientThroughTheUnetAndWithConstantNoise() {
        for (String variant : new String[] {"through_unet", "eps_constant"}) {
            try (NDManager m = manager.newSubManager()) {
                Conditioning c = policy.encode(List.of(PROMPT), m);
                NDArray winner = r("candidates", m).get(1);
                StepwiseReward sr = new PolicyStepwiseReward(policy, reward);
                StepwiseReward.Gradient g = sr.gradient(c, winner, STEP + 1, variant.equals("eps_constant"));
                // d/dx (r_high - r(x))^2 at x^w, with r_high = r(x^w) + delta: -2 delta grad r
                NDArray lossGrad = g.grad().mul(-2 * 0.5f);
                TestData.assertClose(r("guidance_" + variant + "_grad", m), lossGrad, 1e-6, 2e-3, variant + " grad");
                NDArray plus = winner.add(g.grad().mul(2 * 0.2f * 0.5f));
                NDArray minus = winner.sub(g.grad().mul(2 * 0.2f * 0.5f));
                TestData.assertClose(r("guidance_" + variant + "_x_plus", m), plus, 1e-5, 1e-5, variant + " x+");
                TestData.assertClose(r("guidance_" + variant + "_x_minus", m), minus, 1e-5, 1e-5, variant + " x-");
                float[] rpm = r("guidance_" + variant + "_rewards_plus_minus", m).toFloatArray();
                assertEquals(rpm[0], sr.score(c, plus, STEP + 1)[0], 1e-5, variant + " r(x+)");
                assertEquals(rpm[1], sr.score(c, minus, STEP + 1)[0], 1e-5, variant + " r(x-)");
            }
        }
    }
}
