package dev.tailorpo.diffusion.shapes.pretrain;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailorpo.api.TailorException;
import dev.tailorpo.api.scheduler.NoiseScheduler;
import dev.tailorpo.api.tensor.Scalars;
import dev.tailorpo.diffusion.io.CheckpointStore;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.io.SafeTensorsWriter;
import dev.tailorpo.diffusion.models.clip.ClipTextConfig;
import dev.tailorpo.diffusion.models.clip.ClipTextModel;
import dev.tailorpo.diffusion.models.clip.ClipTokenizer;
import dev.tailorpo.diffusion.models.unet.UNet2DConditionModel;
import dev.tailorpo.diffusion.models.unet.UNetConfig;
import dev.tailorpo.diffusion.nn.Param;
import dev.tailorpo.diffusion.optim.AdamW;
import dev.tailorpo.diffusion.optim.AdamWConfig;
import dev.tailorpo.diffusion.optim.Gradients;
import dev.tailorpo.diffusion.random.KeyedRandom;
import dev.tailorpo.diffusion.scheduler.Schedulers;
import dev.tailorpo.diffusion.shapes.ShapesDataset;
import dev.tailorpo.diffusion.shapes.ShapesSample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains the shapes world's base model from scratch: a pixel-space UNet2DConditionModel and a small
 * CLIP text encoder, jointly, on rendered images with DDPM's noise-prediction loss (uniform
 * timesteps) and prompt dropout for classifier-free guidance; AdamW with warm-up and cosine decay,
 * gradient clipping, and an exponential moving average of the weights, which is what is saved.
 *
 * <p>Every random choice (data, timesteps, noise, dropout) is keyed by the sample's global index,
 * so a run resumed from a checkpoint continues exactly as the uninterrupted run would have.
 */
public final class ShapesPretraining {
    private static final String UNET = "unet.";
    private static final String TEXT = "text_encoder.";

    /** Progress callbacks. */
    public interface Listener {
        void onStep(int step, int totalSteps, double loss, double lr);

        default void onCheckpoint(int step, Path dir) {}

        default void onResume(int step) {}
    }

    private final Path out;
    private final PretrainConfig config;
    private final Device device;

    /** @param device where the weights, optimizer state and every batch live */
    public ShapesPretraining(Path out, PretrainConfig config, Device device) {
        this.out = out;
        this.config = config;
        this.device = device;
    }

    /** The folder of resume points. */
    public Path checkpointsDir() {
        return out.resolve(".pretrain-checkpoints");
    }

    /** Runs (or resumes) the training and writes the final EMA weights into the snapshot. */
    public void run(Listener listener) {
        ShapesSnapshot.writeSkeleton(out);
        ClipTokenizer tokenizer = ClipTokenizer.load(out.resolve("tokenizer"));
        try (NDManager root = NDManager.newBaseManager(device)) {
            UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.read(out.resolve("unet").resolve("config.json")));
            ClipTextModel text = new ClipTextModel(ClipTextConfig.read(out.resolve("text_encoder").resolve("config.json")));
            unet.initialize(root, config.seed());
            text.initialize(root, config.seed() + 1);
            unet.setTrainable(true);
            text.setTrainable(true);
            Map<String, Param> params = new LinkedHashMap<>();
            unet.namedParameters().forEach((k, p) -> params.put(UNET + k, p));
            text.namedParameters().forEach((k, p) -> params.put(TEXT + k, p));

            AdamW optimizer = new AdamW(params, new AdamWConfig(config.lr(), 0.9, 0.999, 1e-8, config.weightDecay()), root);
            Map<String, NDArray> ema = new LinkedHashMap<>();
            params.forEach((k, p) -> {
                NDArray copy = p.array().duplicate();
                copy.attach(root);
                ema.put(k, copy);
            });

            CheckpointStore store = new CheckpointStore(checkpointsDir(), 2);
            int start = 0;
            // the weight of the initial weights w_0 in the shadow: the product of the decays so far
            double initialWeight = 1;
            var latest = store.latest();
            if (latest.isPresent()) {
                start = (int) latest.get().step();
                initialWeight = restore(latest.get().dir(), params, ema, optimizer, root);
                listener.onResume(start);
            }

            NoiseScheduler scheduler = Schedulers.create(Schedulers.readConfig(out.resolve("scheduler")));
            ShapesDataset data = new ShapesDataset(config.dataSeed());
            KeyedRandom random = new KeyedRandom(config.seed());
            for (int step = start; step < config.steps(); step++) {
                double lr = config.lrAt(step);
                optimizer.setConfig(new AdamWConfig(lr, 0.9, 0.999, 1e-8, config.weightDecay()));
                double loss = trainStep(step, unet, text, tokenizer, scheduler, data, random, params, optimizer, root);
                updateEma(params, ema);
                initialWeight *= config.emaDecay();
                listener.onStep(step + 1, config.steps(), loss, lr);
                if ((step + 1) % config.checkpointEvery() == 0 || step + 1 == config.steps()) {
                    final int done = step + 1;
                    final double weight = initialWeight;
                    var ckpt = store.save(done, dir -> save(dir, params, ema, optimizer, done, weight));
                    listener.onCheckpoint(done, ckpt.dir());
                }
            }
            writeModel(withoutInitialization(ema, initialWeight, root));
        }
    }

    /**
     * The EMA of the trained weights alone. The shadow starts at the initial weights, so after T
     * updates it is d^T w_0 + (1 - d) sum d^(T-s) w_s: with d = 0.999 and a few thousand steps, w_0
     * still weighs 0.999^2400 = 9% and the samples are noise (seen at step 800, where it weighs 45%).
     * Removing d^T w_0 and renormalising by 1 - d^T (Adam's bias correction) leaves the average of
     * the trained weights; w_0 is recomputed from the seed. A run resumed with another decay has
     * weighed w_0 by the product of the decays it used, {@code initialWeight}.
     */
    private Map<String, NDArray> withoutInitialization(Map<String, NDArray> ema, double initialWeight,
                                                      NDManager manager) {
        UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.read(out.resolve("unet").resolve("config.json")));
        ClipTextModel text = new ClipTextModel(ClipTextConfig.read(out.resolve("text_encoder").resolve("config.json")));
        unet.initialize(manager, config.seed());
        text.initialize(manager, config.seed() + 1);
        Map<String, NDArray> initial = new LinkedHashMap<>();
        unet.namedParameters().forEach((k, p) -> initial.put(UNET + k, p.array()));
        text.namedParameters().forEach((k, p) -> initial.put(TEXT + k, p.array()));
        double weight = initialWeight;
        Map<String, NDArray> out = new LinkedHashMap<>();
        ema.forEach((k, v) -> out.put(k, Scalars.div(v.sub(Scalars.mul(initial.get(k), weight)), 1 - weight)));
        return out;
    }

    private double trainStep(int step, UNet2DConditionModel unet, ClipTextModel text, ClipTokenizer tokenizer,
                             NoiseScheduler scheduler, ShapesDataset data, KeyedRandom random,
                             Map<String, Param> params, AdamW optimizer, NDManager root) {
        int b = config.batchSize();
        int pixels = 3 * 32 * 32;
        float[] images = new float[b * pixels];
        long[] ids = new long[b * ShapesSnapshot.MAX_LENGTH];
        int[] timesteps = new int[b];
        int numTrain = scheduler.config().numTrainTimesteps();
        for (int i = 0; i < b; i++) {
            long index = (long) step * b + i;
            ShapesSample s = data.get(index);
            System.arraycopy(s.image(), 0, images, i * pixels, pixels);
            SplittableRandom r = random.stream(index);
            String prompt = r.nextDouble() < config.promptDropout() ? "" : s.prompt().toString();
            System.arraycopy(toLongs(tokenizer.encode(prompt)), 0, ids, i * ShapesSnapshot.MAX_LENGTH, ShapesSnapshot.MAX_LENGTH);
            timesteps[i] = r.nextInt(numTrain);
        }
        try (NDManager sm = root.newSubManager()) {
            Shape shape = new Shape(b, 3, 32, 32);
            NDArray x0 = Scalars.mul(sm.create(images, shape), 2).sub(1f);
            NDArray noise = random.normal(sm, shape, -1, step);
            NDArray xt = scheduler.addNoise(x0, noise, timesteps);
            NDArray target = scheduler.trainingTarget(x0, noise, timesteps);
            NDArray tArray = sm.create(timesteps).toType(DataType.FLOAT32, false);
            NDArray tokens = sm.create(ids, new Shape(b, ShapesSnapshot.MAX_LENGTH));
            float loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray context = text.forward(tokens).lastHiddenState();
                NDArray pred = unet.forward(xt, tArray, context);
                NDArray l = pred.sub(target).square().mean();
                gc.backward(l);
                loss = l.getFloat();
            }
            double norm = Gradients.clipGlobalNorm(params.values(), config.gradClip(), sm);
            if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                throw new TailorException("pretraining diverged at step " + (step + 1) + ": loss " + loss
                        + ", gradient norm " + norm + "; non-finite gradients in "
                        + Gradients.nonFinite(params, sm) + " (the weights were not updated)");
            }
            optimizer.step();
            return loss;
        }
    }

    private void updateEma(Map<String, Param> params, Map<String, NDArray> ema) {
        float d = (float) config.emaDecay();
        try (NDManager sm = NDManager.newBaseManager(device)) {
            for (Map.Entry<String, Param> e : params.entrySet()) {
                NDArray shadow = e.getValue().array().stopGradient();
                shadow.attach(sm);
                NDArray step = shadow.sub(ema.get(e.getKey()));
                step.attach(sm);
                ema.get(e.getKey()).addi(step.muli(1 - d));
            }
        }
    }

    private void save(Path dir, Map<String, Param> params, Map<String, NDArray> ema, AdamW optimizer, int step,
                      double initialWeight) throws IOException {
        Map<String, NDArray> weights = new LinkedHashMap<>();
        params.forEach((k, p) -> weights.put(k, p.array()));
        SafeTensorsWriter.write(dir.resolve("weights.safetensors"), weights, Map.of());
        SafeTensorsWriter.write(dir.resolve("ema.safetensors"), ema, Map.of());
        SafeTensorsWriter.write(dir.resolve("optimizer.safetensors"), optimizer.state(), Map.of());
        Files.writeString(dir.resolve("state.json"), new ObjectMapper().writeValueAsString(
                Map.of("step", step, "optimizer_steps", optimizer.stepCount(), "ema_initial_weight", initialWeight,
                        "config", config)));
    }

    /** Restores a checkpoint and returns the weight of w_0 in its EMA shadow. */
    private static double restore(Path dir, Map<String, Param> params, Map<String, NDArray> ema, AdamW optimizer,
                                  NDManager root) {
        try (SafeTensorsFile w = SafeTensorsFile.open(dir.resolve("weights.safetensors"));
             SafeTensorsFile e = SafeTensorsFile.open(dir.resolve("ema.safetensors"));
             SafeTensorsFile o = SafeTensorsFile.open(dir.resolve("optimizer.safetensors"));
             NDManager tmp = root.newSubManager()) {
            for (Map.Entry<String, Param> p : params.entrySet()) {
                NDArray value = w.load(p.getKey(), tmp);
                p.getValue().array().setRequiresGradient(false);
                value.copyTo(p.getValue().array());
                p.getValue().setTrainable(true);
                e.load(p.getKey(), tmp).copyTo(ema.get(p.getKey()));
            }
            Map<String, NDArray> state = new LinkedHashMap<>();
            for (String k : o.keys()) {
                state.put(k, o.load(k, tmp));
            }
            JsonNode saved = new ObjectMapper().readTree(dir.resolve("state.json").toFile());
            long steps = saved.get("optimizer_steps").asLong();
            optimizer.load(state, steps);
            // checkpoints from before the decay could change between resumes used one decay throughout
            return saved.has("ema_initial_weight") ? saved.get("ema_initial_weight").asDouble()
                    : Math.pow(saved.get("config").get("emaDecay").asDouble(), saved.get("step").asInt());
        } catch (IOException ex) {
            throw new dev.tailorpo.api.ModelFormatException("cannot read checkpoint " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /** Writes the EMA weights as the snapshot's UNet and text encoder. */
    private void writeModel(Map<String, NDArray> ema) {
        Map<String, NDArray> unet = new LinkedHashMap<>();
        Map<String, NDArray> text = new LinkedHashMap<>();
        ema.forEach((k, v) -> {
            if (k.startsWith(UNET)) {
                unet.put(k.substring(UNET.length()), v);
            } else {
                text.put(k.substring(TEXT.length()), v);
            }
        });
        SafeTensorsWriter.write(out.resolve("unet").resolve(UNet2DConditionModel.WEIGHTS_FILE), unet, Map.of("format", "pt"));
        SafeTensorsWriter.write(out.resolve("text_encoder").resolve("model.safetensors"), text, Map.of("format", "pt"));
    }

    private static long[] toLongs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}
