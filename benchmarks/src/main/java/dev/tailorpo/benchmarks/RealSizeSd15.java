package dev.tailorpo.benchmarks;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.trainer.Conditioning;
import dev.tailorpo.api.trainer.PreferencePair;
import dev.tailorpo.api.trainer.StepwiseReward;
import dev.tailorpo.diffusion.io.SafeTensorsWriter;
import dev.tailorpo.diffusion.lora.LoraConfig;
import dev.tailorpo.diffusion.pipeline.GradMode;
import dev.tailorpo.diffusion.pipeline.SamplingSettings;
import dev.tailorpo.rewards.clip.ClipRewardProviders;
import dev.tailorpo.trainers.policy.GuidedPolicy;
import dev.tailorpo.trainers.policy.PolicyStepwiseReward;
import dev.tailorpo.diffusion.models.bert.BertConfig;
import dev.tailorpo.diffusion.models.blip.BlipVisionConfig;
import dev.tailorpo.diffusion.models.clip.ClipConfig;
import dev.tailorpo.diffusion.models.clip.ClipModel;
import dev.tailorpo.diffusion.models.clip.ClipTextConfig;
import dev.tailorpo.diffusion.models.clip.ClipTextModel;
import dev.tailorpo.diffusion.models.unet.UNet2DConditionModel;
import dev.tailorpo.diffusion.models.unet.UNetConfig;
import dev.tailorpo.diffusion.models.vae.AutoencoderKL;
import dev.tailorpo.diffusion.models.vae.VaeConfig;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.rewards.imagereward.ImageRewardModel;
import dev.tailorpo.trainers.engine.EngineContext;
import dev.tailorpo.trainers.engine.MemoryProbe;
import dev.tailorpo.trainers.loss.DpoLoss;
import dev.tailorpo.baselines.D3PO;
import dev.tailorpo.diffusion.random.KeyedRandom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Stable Diffusion 1.5 and its reward models at their real sizes, with random weights (no
 * checkpoint can be downloaded here; the arithmetic, the memory and the code paths are those of
 * the real files), to measure the paper's setting on this machine.
 *
 * <pre>
 * mvn -B -q package -pl benchmarks -am -DskipTests
 * J="java -Dai.djl.offline=true -Xmx8g -cp benchmarks/target/classes:benchmarks/target/lib/*"
 * $J dev.tailorpo.benchmarks.RealSizeSd15 snapshot OUT        # writes the folders below (about 7 GB)
 * $J dev.tailorpo.benchmarks.RealSizeSd15 unet OUT/sd15 [BATCH=1] [REPEATS=3]
 * $J dev.tailorpo.benchmarks.RealSizeSd15 guidance OUT/sd15 OUT/clip-vit-large-patch14 [ROWS_PER_PASS=1] [STAGED=false]
 * $J dev.tailorpo.benchmarks.RealSizeSd15 decode OUT/sd15 [BATCH=2] [by-image|one-pass]
 * $J dev.tailorpo.benchmarks.RealSizeSd15 loss OUT/sd15 [shared|two-states] [CHECKPOINTING=false]
 * </pre>
 *
 * {@code snapshot} writes, from the configs of {@code testdata/real-model-shapes.json} and the
 * ImageReward key table:
 * <ul>
 *   <li>{@code OUT/sd15}: a diffusers snapshot of SD 1.5 (UNet 859,520,964 parameters, VAE,
 *       text encoder; SD 1.5's DDIM scheduler config; the miniature tokenizer of
 *       testdata/sd-tiny, whose ids are valid for the real text encoder), which {@code tailor train}
 *       loads like a download, at 512 x 512;</li>
 *   <li>{@code OUT/sd15-256}: the same weights with the UNet's {@code sample_size} 32, so that it
 *       samples at 256 x 256;</li>
 *   <li>{@code OUT/clip-vit-large-patch14}: a CLIPModel snapshot of CLIP ViT-L/14, for
 *       {@code laion-aesthetic} with the repository's real LAION head;</li>
 *   <li>{@code OUT/image-reward}: ImageReward-v1.0's weights as {@code ImageReward.safetensors},
 *       its {@code med_config.json} and a stand-in {@code vocab.txt} of BERT's size (BERT's special
 *       tokens at their real ids, placeholders elsewhere).</li>
 * </ul>
 * {@code unet} times the UNet forward without a graph and forward plus backward to the input
 * (weights frozen, as guidance takes it) at the snapshot's latent size, with CFG's text length 77;
 * the same as {@code benchmarks/pytorch/unet_torch.py --time --model OUT/sd15/unet}.
 * {@code guidance} takes TailorPO-G's reward gradient once, as an iteration of the paper's setting
 * does at each trained step: 2 prompts, guidance 5, LoRA rank 4, the LAION aesthetic reward, in passes
 * of {@code ROWS_PER_PASS} rows ({@code engine.minibatch_size}; 0 is both rows in one pass), stage by
 * stage if {@code STAGED} ({@code engine.reward_gradient_checkpointing}), and reports its time and the
 * process's peak resident memory. {@code decode} decodes {@code BATCH} random latents at the
 * snapshot's size without a graph, as scoring does, image by image ({@code AutoencoderKL.decode}) or
 * in one pass, and reports the time and the peak. {@code loss} accumulates the DPO loss's gradient
 * into LoRA rank-4 adapters for one pair, as the engine does with {@code engine.minibatch_size: 1}:
 * a TailorPO pair ({@code shared}: both transitions from one x_t, one network pass per guidance
 * branch) or a D3PO pair ({@code two-states}: two x_t), through one graph or with
 * {@code engine.loss_gradient_checkpointing} ({@code CHECKPOINTING}), and reports the time and the peak.
 */
public final class RealSizeSd15 {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RealSizeSd15() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: snapshot OUT | unet SNAPSHOT [BATCH] [REPEATS]"
                    + " | guidance SNAPSHOT CLIP [ROWS_PER_PASS] [STAGED] | decode SNAPSHOT [BATCH] [by-image|one-pass]"
                    + " | loss SNAPSHOT [shared|two-states] [CHECKPOINTING]");
        }
        switch (args[0]) {
            case "snapshot" -> snapshot(Path.of(args[1]));
            case "unet" -> timeUnet(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 1,
                    args.length > 3 ? Integer.parseInt(args[3]) : 3);
            case "guidance" -> timeGuidance(Path.of(args[1]), Path.of(args[2]),
                    args.length > 3 ? Integer.parseInt(args[3]) : 1, args.length > 4 && Boolean.parseBoolean(args[4]));
            case "decode" -> timeDecode(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 2,
                    args.length <= 3 || args[3].equals("by-image"));
            case "loss" -> timeLoss(Path.of(args[1]), args.length <= 2 || args[2].equals("shared"),
                    args.length > 3 && Boolean.parseBoolean(args[3]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void snapshot(Path out) throws IOException {
        JsonNode shapes = JSON.readTree(Path.of("testdata/real-model-shapes.json").toFile());
        Path sd = Files.createDirectories(out.resolve("sd15"));
        Files.copy(Path.of("testdata/sd-tiny/model_index.json"), sd.resolve("model_index.json"));
        copyFolder(Path.of("testdata/sd-tiny/tokenizer"), sd.resolve("tokenizer"));
        Files.createDirectories(sd.resolve("scheduler"));
        Files.copy(Path.of("testdata/sd-tiny/scheduler/scheduler_config.json"), sd.resolve("scheduler/scheduler_config.json"));

        Path unetDir = writeConfig(sd.resolve("unet"), shapes.get("sd15_unet").get("config"));
        write(new UNet2DConditionModel(UNetConfig.read(unetDir.resolve("config.json"))),
                unetDir.resolve(UNet2DConditionModel.WEIGHTS_FILE), "", 1);
        Path vaeDir = writeConfig(sd.resolve("vae"), shapes.get("sd15_vae").get("config"));
        write(new AutoencoderKL(VaeConfig.read(vaeDir.resolve("config.json"))), vaeDir.resolve(AutoencoderKL.WEIGHTS_FILE), "", 2);
        Path textDir = writeConfig(sd.resolve("text_encoder"), shapes.get("sd15_text_encoder").get("config"));
        write(new ClipTextModel(ClipTextConfig.read(textDir.resolve("config.json"))), textDir.resolve("model.safetensors"),
                ClipTextModel.PREFIX, 3);

        // the same weights sampling at 256 x 256: the UNet's default latent size is its config's sample_size
        Path small = Files.createDirectories(out.resolve("sd15-256"));
        try (Stream<Path> parts = Files.list(sd)) {
            for (Path part : parts.toList()) {
                if (!part.getFileName().toString().equals("unet")) {
                    Files.createSymbolicLink(small.resolve(part.getFileName()), part.toAbsolutePath());
                }
            }
        }
        ObjectNode unet256 = ((ObjectNode) shapes.get("sd15_unet").get("config")).deepCopy();
        unet256.put("sample_size", 32);
        Path smallUnet = writeConfig(small.resolve("unet"), unet256);
        Files.createSymbolicLink(smallUnet.resolve(UNet2DConditionModel.WEIGHTS_FILE),
                unetDir.resolve(UNet2DConditionModel.WEIGHTS_FILE).toAbsolutePath());

        Path clipDir = writeConfig(out.resolve("clip-vit-large-patch14"), shapes.get("clip_vit_l14").get("config"));
        write(new ClipModel(ClipConfig.read(clipDir.resolve("config.json"))), clipDir.resolve("model.safetensors"), "", 4);

        JsonNode ir = JSON.readTree(Path.of("testdata/imagereward-tiny/real-model-keys.json").toFile());
        Path irDir = Files.createDirectories(out.resolve("image-reward"));
        JSON.writeValue(irDir.resolve("med_config.json").toFile(), ir.get("med_config"));
        JsonNode v = ir.get("vision");
        BlipVisionConfig vision = new BlipVisionConfig(v.get("image_size").asInt(), v.get("patch_size").asInt(),
                v.get("width").asInt(), v.get("depth").asInt(), v.get("heads").asInt(),
                (int) (v.get("width").asInt() * v.get("mlp_ratio").asDouble()), 1e-6);
        BertConfig text = BertConfig.read(irDir.resolve("med_config.json")).withEncoderWidth(vision.width());
        write(new ImageRewardModel(vision, text, 256, new long[] {text.hiddenSize(), 1024, 128, 64, 16, 1}),
                irDir.resolve("ImageReward.safetensors"), "", 5);
        List<String> vocab = new ArrayList<>();
        for (int i = 0; i < text.vocabSize() - 2; i++) {   // [DEC] and [ENC] are added by the tokenizer
            vocab.add(switch (i) {
                case 0 -> "[PAD]";
                case 100 -> "[UNK]";
                case 101 -> "[CLS]";
                case 102 -> "[SEP]";
                case 103 -> "[MASK]";
                default -> "token" + i;
            });
        }
        Files.write(irDir.resolve("vocab.txt"), vocab);
        System.out.printf(Locale.ROOT, "wrote %s; peak rss %.0f MB%n", out, MemoryProbe.peakRssMegabytes());
    }

    private static Path writeConfig(Path dir, JsonNode config) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        return dir;
    }

    /** Random weights (the modules' own initialisers) saved under {@code prefix}, in a manager freed after. */
    private static void write(Module model, Path file, String prefix, long seed) {
        long t = System.nanoTime();
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m, seed);
            var state = new java.util.LinkedHashMap<String, NDArray>();
            model.stateDict().forEach((k, a) -> state.put(prefix + k, a));
            SafeTensorsWriter.write(file, state, null);
        }
        System.out.printf(Locale.ROOT, "%s: %,d parameters, written in %.0f s%n", file, model.parameterCount(),
                (System.nanoTime() - t) / 1e9);
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static void timeUnet(Path snapshot, int batch, int repeats) {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(snapshot.resolve("unet"), m);
            UNetConfig c = unet.config();
            System.out.printf(Locale.ROOT, "UNet %,d parameters, latents %dx%d, batch %d; rss %.0f MB%n", unet.parameterCount(),
                    c.sampleSize(), c.sampleSize(), batch, MemoryProbe.rssMegabytes());
            Engine.getInstance().setRandomSeed(0);
            double[] forward = new double[repeats];
            double[] backward = new double[repeats];
            for (int k = -1; k < repeats; k++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = step.randomNormal(new Shape(batch, c.inChannels(), c.sampleSize(), c.sampleSize()));
                    NDArray t = step.full(new Shape(batch), 500f);
                    NDArray context = step.randomNormal(new Shape(batch, 77, c.crossAttentionDim()));
                    long a = System.nanoTime();
                    unet.forward(x, t, context).toFloatArray();
                    long b = System.nanoTime();
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(unet.forward(x, t, context).square().mean());
                    }
                    x.getGradient().toFloatArray();
                    long e = System.nanoTime();
                    if (k >= 0) {
                        forward[k] = (b - a) / 1e9;
                        backward[k] = (e - b) / 1e9;
                    }
                }
            }
            Arrays.sort(forward);
            Arrays.sort(backward);
            System.out.printf(Locale.ROOT, "UNet forward %.2f s (min %.2f), forward + backward to the input %.2f s (min %.2f);"
                    + " medians of %d after a warm-up; peak rss %.0f MB%n", forward[repeats / 2], forward[0],
                    backward[repeats / 2], backward[0], repeats, MemoryProbe.peakRssMegabytes());
        }
    }

    private static void timeGuidance(Path snapshot, Path clip, int rowsPerPass, boolean staged) throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             RewardModel reward = new ClipRewardProviders.LaionAestheticProvider()
                     .create(new RewardContext(Path.of("models"), Device.cpu(), Map.of("clip", clip.toString())))) {
            GuidedPolicy policy = GuidedPolicy.load(snapshot, new SamplingSettings(20, 1.0, 5.0), new LoraConfig(4, 4f), 0, m);
            Conditioning c = policy.encode(List.of("cat", "dog"), m);
            Engine.getInstance().setRandomSeed(0);
            // the arithmetic does not depend on the values: a standard normal stands in for x_t
            NDArray x = m.randomNormal(new Shape(2).addAll(policy.sampleShape()));
            double loaded = MemoryProbe.rssMegabytes();
            long t = System.nanoTime();
            StepwiseReward.Gradient g = new PolicyStepwiseReward(policy, reward, rowsPerPass, staged).gradient(c, x, 5, false);
            g.grad().toFloatArray();
            System.out.printf(Locale.ROOT, "reward gradient of 2 rows at %s, %d row(s) per pass, stage by stage %s: %.1f s; rss after loading"
                    + " %.0f MB, peak %.0f MB; scores %s%n", policy.sampleShape(), rowsPerPass, staged, (System.nanoTime() - t) / 1e9,
                    loaded, MemoryProbe.peakRssMegabytes(), Arrays.toString(g.scores()));
        }
    }

    private static void timeLoss(Path snapshot, boolean sharedState, boolean checkpointing) {
        try (NDManager m = NDManager.newBaseManager()) {
            GuidedPolicy policy = GuidedPolicy.load(snapshot, new SamplingSettings(20, 1.0, 5.0), new LoraConfig(4, 4f), 0, m)
                    .withLossGradientCheckpointing(checkpointing);
            Conditioning c = policy.encode(List.of("cat"), m);
            Engine.getInstance().setRandomSeed(0);
            // the arithmetic does not depend on the values: standard normals stand in for the states
            Shape one = new Shape(1).addAll(policy.sampleShape());
            NDArray from = m.randomNormal(one);
            NDArray fromL = sharedState ? from : m.randomNormal(one);
            PreferencePair pair = new PreferencePair(c, 5, from, m.randomNormal(one), fromL, m.randomNormal(one));
            EngineContext ctx = new EngineContext(policy, null, null, 0, m, new KeyedRandom(0));
            double loaded = MemoryProbe.rssMegabytes();
            long t = System.nanoTime();
            double loss = ctx.accumulateGradient(new D3PO(new DpoLoss(0.1, 0.1)), List.of(pair), 1);
            System.out.printf(Locale.ROOT, "DPO loss gradient of one %s pair at %s, loss gradient checkpointing %s: %.1f s;"
                    + " rss after loading %.0f MB, peak %.0f MB; loss %.6f%n", sharedState ? "TailorPO (shared x_t)" : "D3PO (two x_t)",
                    policy.sampleShape(), checkpointing, (System.nanoTime() - t) / 1e9, loaded, MemoryProbe.peakRssMegabytes(), loss);
        }
    }

    private static void timeDecode(Path snapshot, int batch, boolean byImage) {
        try (NDManager m = NDManager.newBaseManager(); GradMode off = GradMode.disabled()) {
            AutoencoderKL vae = AutoencoderKL.load(snapshot.resolve("vae"), m);
            int size = UNetConfig.read(snapshot.resolve("unet/config.json")).sampleSize();
            Engine.getInstance().setRandomSeed(0);
            NDArray latents = m.randomNormal(new Shape(batch, vae.config().latentChannels(), size, size));
            double loaded = MemoryProbe.rssMegabytes();
            long t = System.nanoTime();
            NDArray images = byImage ? vae.decode(latents) : vae.decodeRaw(latents.div(vae.config().scalingFactor()));
            images.toFloatArray();
            System.out.printf(Locale.ROOT, "decoded %d latents of %dx%d %s to %s: %.1f s; rss after loading %.0f MB, peak %.0f MB%n",
                    batch, size, size, byImage ? "image by image" : "in one pass", images.getShape(),
                    (System.nanoTime() - t) / 1e9, loaded, MemoryProbe.peakRssMegabytes());
        }
    }
}
