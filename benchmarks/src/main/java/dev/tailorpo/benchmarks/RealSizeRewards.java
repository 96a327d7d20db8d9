package dev.tailorpo.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tailorpo.diffusion.models.bert.BertConfig;
import dev.tailorpo.diffusion.models.blip.BlipImageProcessor;
import dev.tailorpo.diffusion.models.blip.BlipVisionConfig;
import dev.tailorpo.diffusion.models.clip.ClipImageProcessor;
import dev.tailorpo.diffusion.models.clip.ClipModel;
import dev.tailorpo.diffusion.models.clip.OpenClipConfig;
import dev.tailorpo.diffusion.models.clip.OpenClipImageProcessor;
import dev.tailorpo.diffusion.models.clip.OpenClipTokenizer;
import dev.tailorpo.diffusion.nn.Module;
import dev.tailorpo.rewards.imagereward.ImageReward;
import dev.tailorpo.rewards.imagereward.ImageRewardModel;
import dev.tailorpo.trainers.engine.MemoryProbe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The cost of scoring with the real-size preference models, which cannot be downloaded here, so
 * they carry random weights (the arithmetic is the same): ImageReward-v1.0 (ViT-L/16 at 224 and
 * BERT-base with cross-attention, 446.7M parameters) and HPSv2 (open_clip ViT-H-14, 986.1M). One
 * batch of images at 224 px (the models' size: preprocessing is the normalisation only) is scored
 * without a graph (evaluation) and with the gradient to the pixels (TailorPO-G's guidance); each is
 * timed after one warm-up, and the median of the repeats is reported per image, with the resident
 * memory after loading and the process's peak (VmHWM). Run one model per JVM, so that the peak is
 * that model's.
 *
 * <pre>
 * mvn -B -q package -pl benchmarks -am -DskipTests
 * java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -cp "benchmarks/target/classes:benchmarks/target/lib/*" \
 *     dev.tailorpo.benchmarks.RealSizeRewards image-reward|hpsv2 [IMAGES=8] [REPEATS=3]
 * </pre>
 *
 * HPSv2's prompt is tokenized with the repository's open_clip vocabulary; ImageReward's with
 * stand-in ids ([CLS] 12 words [SEP], padded to 35; bert-base-uncased's vocabulary is not in the
 * repository), which costs the same since every row runs all 35 positions. HPSv2 embeds a prompt
 * once and caches it, as the reward does, so its text tower is timed apart.
 */
public final class RealSizeRewards {
    private RealSizeRewards() {}

    /** A model ready to score: pixels in [0, 1] to (B) scores. */
    private record Scorer(Module model, Function<NDArray, NDArray> score) {}

    public static void main(String[] args) throws Exception {
        String which = args.length > 0 ? args[0] : "image-reward";
        int images = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        try (NDManager manager = NDManager.newBaseManager()) {
            long t0 = System.nanoTime();
            Scorer scorer = switch (which) {
                case "image-reward" -> imageReward(manager, images);
                case "hpsv2" -> hpsv2(manager);
                default -> throw new IllegalArgumentException("model must be image-reward or hpsv2, got " + which);
            };
            System.out.printf(Locale.ROOT, "%s: %,d parameters, built with random weights in %.1f s; rss %.0f MB%n", which,
                    scorer.model().parameterCount(), (System.nanoTime() - t0) / 1e9, MemoryProbe.rssMegabytes());
            float[] pixels = new float[images * 3 * 224 * 224];
            SplittableRandom r = new SplittableRandom(0);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) r.nextDouble();
            }
            Shape shape = new Shape(images, 3, 224, 224);
            double[] forward = new double[repeats];
            double[] backward = new double[repeats];
            for (int k = -1; k < repeats; k++) {
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = step.create(pixels, shape);
                    long a = System.nanoTime();
                    float[] scores = scorer.score().apply(x).toFloatArray();
                    long b = System.nanoTime();
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(scorer.score().apply(x).sum());
                    }
                    x.getGradient().toFloatArray();
                    long c = System.nanoTime();
                    if (k >= 0) {
                        forward[k] = (b - a) / 1e6 / images;
                        backward[k] = (c - b) / 1e6 / images;
                    } else {
                        System.out.printf(Locale.ROOT, "warm-up: first scores %s%n", Arrays.toString(Arrays.copyOf(scores, 2)));
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%s, %d images at 224 px, %d threads: score %.0f ms/image, score + gradient to the "
                    + "pixels %.0f ms/image (medians of %d); rss %.0f MB, peak %.0f MB%n", which, images,
                    Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()),
                    median(forward), median(backward), repeats, MemoryProbe.rssMegabytes(), MemoryProbe.peakRssMegabytes());
        }
    }

    private static Scorer imageReward(NDManager manager, int batch) {
        BlipVisionConfig vision = new BlipVisionConfig(224, 16, 1024, 24, 16, 4096, 1e-6);
        // bert-base-uncased with BLIP's cross-attention and its two added tokens, as med_config.json
        BertConfig text = new BertConfig(30524, 768, 12, 12, 3072, 512, 1e-12, 0, vision.width(), true);
        ImageRewardModel model = new ImageRewardModel(vision, text, 256, new long[] {768, 1024, 128, 64, 16, 1});
        model.initialize(manager, 0);
        BlipImageProcessor processor = new BlipImageProcessor(224, ClipImageProcessor.MEAN, ClipImageProcessor.STD,
                BlipImageProcessor.Mode.TENSOR_ANTIALIAS);
        int n = ImageReward.MAX_TOKENS;
        long[] ids = new long[batch * n];
        long[] mask = new long[batch * n];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < batch; i++) {
            ids[i * n] = 101;                       // [CLS]
            for (int j = 1; j <= 12; j++) {
                ids[i * n + j] = 1000 + r.nextInt(29000);
            }
            ids[i * n + 13] = 102;                  // [SEP]
            Arrays.fill(mask, i * n, i * n + 14, 1);
        }
        return new Scorer(model, x -> {
            NDManager m = x.getManager();
            return model.score(processor.preprocess(x), m.create(ids, new Shape(batch, n)), m.create(mask, new Shape(batch, n)));
        });
    }

    private static Scorer hpsv2(NDManager manager) throws Exception {
        ClipModel model = new ClipModel(OpenClipConfig.vitH14());
        model.initialize(manager, 0);
        OpenClipImageProcessor processor = new OpenClipImageProcessor(224, ClipImageProcessor.MEAN, ClipImageProcessor.STD, false);
        Path vocab = Path.of("data/vocab/bpe_simple_vocab_16e6.txt.gz");
        if (!Files.isRegularFile(vocab)) {
            throw new IllegalStateException("run from the repository root: no " + vocab);
        }
        OpenClipTokenizer tokenizer = OpenClipTokenizer.load(vocab);
        int[] row = tokenizer.encode("a photo of a red cat sitting on a blue chair, highly detailed");
        long[] ids = Arrays.stream(row).asLongStream().toArray();
        NDArray text;
        long t = System.nanoTime();
        try (NDManager scope = manager.newSubManager()) {
            text = ClipModel.l2Normalize(model.textEmbeds(scope.create(ids, new Shape(1, ids.length))));
            text.attach(manager);
        }
        System.out.printf(Locale.ROOT, "hpsv2: text tower, one prompt (cached by the reward): %.0f ms%n", (System.nanoTime() - t) / 1e6);
        return new Scorer(model, x -> ClipModel.l2Normalize(model.imageEmbeds(processor.preprocess(x)))
                .matMul(text.transpose()).reshape(x.getShape().get(0)));
    }

    private static double median(double[] v) {
        List<Double> s = new ArrayList<>();
        for (double d : v) {
            s.add(d);
        }
        Collections.sort(s);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }
}
