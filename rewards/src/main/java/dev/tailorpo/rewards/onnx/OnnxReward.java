package dev.tailorpo.rewards.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.ModelFormatException;
import dev.tailorpo.api.TailorException;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.diffusion.models.clip.ClipTokenizer;
import dev.tailorpo.rewards.image.Images;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A reward computed by an exported ONNX scorer on the CPU. The session is created once, checked
 * against the options ({@link ModelSignature}), and closed with the reward. Images are resized,
 * cropped and normalised in Java ({@link ImagePreprocessor}), prompts tokenized with a CLIP
 * tokenizer when the model takes text, and the batch is run in one call (or in chunks of the
 * model's fixed batch size). Not differentiable: ONNX Runtime has no autograd.
 */
public final class OnnxReward implements RewardModel {
    private final RewardInfo info;
    private final OrtSession session;
    private final ModelSignature signature;
    private final ImagePreprocessor preprocessor;
    private final ClipTokenizer tokenizer;
    private boolean closed;

    private OnnxReward(RewardInfo info, OrtSession session, ModelSignature signature,
                       ImagePreprocessor preprocessor, ClipTokenizer tokenizer) {
        this.info = info;
        this.session = session;
        this.signature = signature;
        this.preprocessor = preprocessor;
        this.tokenizer = tokenizer;
    }

    /** Loads the model and tokenizer named by the options and checks that they fit together. */
    static OnnxReward open(OnnxRewardOptions o) {
        if (!Files.isRegularFile(o.model())) {
            throw new ModelFormatException("onnx reward: model file not found: " + o.model());
        }
        ClipTokenizer tokenizer = o.tokenizer() == null ? null : ClipTokenizer.load(o.tokenizer());
        OrtSession session = createSession(o);
        try {
            ModelSignature signature = ModelSignature.bind(o, session.getInputInfo(), session.getOutputInfo(),
                    tokenizer == null ? 0 : tokenizer.maxLength());
            RewardInfo info = new RewardInfo(o.id(), o.name(), o.min(), o.max(), o.higherIsBetter(), false, signature.size());
            ImagePreprocessor pre = new ImagePreprocessor(signature.size(), new Resampler(o.resize()), o.centerCrop(),
                    o.mean(), o.std());
            return new OnnxReward(info, session, signature, pre, tokenizer);
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session);
            if (e instanceof TailorException t) {
                throw t;
            }
            throw new ModelFormatException("onnx reward: cannot read the signature of " + o.model() + ": " + e.getMessage(), e);
        }
    }

    private static OrtSession createSession(OnnxRewardOptions o) {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            if (o.threads() != null) {
                so.setIntraOpNumThreads(o.threads());
                so.setInterOpNumThreads(1);
            }
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return OrtEnvironment.getEnvironment().createSession(o.model().toString(), so);
        } catch (OrtException e) {
            throw new ModelFormatException("onnx reward: cannot load the ONNX model " + o.model() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public RewardInfo info() {
        return info;
    }

    @Override
    public float[] score(NDArray images, List<String> prompts) {
        Images.checkBatch(info.id(), images, prompts);
        long[] s = images.getShape().getShape();
        int b = (int) s[0];
        int h = (int) s[2];
        int w = (int) s[3];
        float[] raw = images.getDataType() == DataType.FLOAT32 ? images.toFloatArray()
                : images.toType(DataType.FLOAT32, false).toFloatArray();
        float[] pixels = preprocessor.apply(raw, b, h, w);
        int chunk = signature.batch() > 0 ? signature.batch() : Math.max(b, 1);
        float[] scores = new float[b];
        for (int start = 0; start < b; start += chunk) {
            int n = Math.min(chunk, b - start);
            float[] part = run(pixels, prompts, start, n, chunk);
            System.arraycopy(part, 0, scores, start, n);
        }
        for (int i = 0; i < b; i++) {
            if (!Float.isFinite(scores[i])) {
                throw new InvalidInputException("onnx reward '" + info.id() + "': the model returned " + scores[i]
                        + " for image " + i + " (prompt '" + prompts.get(i) + "')");
            }
        }
        return scores;
    }

    /**
     * Runs images {@code start .. start + n - 1}; a model with a fixed batch size gets the last
     * image repeated up to {@code rows}, and the extra scores are dropped.
     */
    private float[] run(float[] pixels, List<String> prompts, int start, int n, int rows) {
        int per = 3 * signature.size() * signature.size();
        int fed = signature.batch() > 0 ? rows : n;
        float[] batch = new float[fed * per];
        for (int r = 0; r < fed; r++) {
            System.arraycopy(pixels, (start + Math.min(r, n - 1)) * per, batch, r * per, per);
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try {
            long size = signature.size();
            inputs.put(signature.image(), OnnxTensor.createTensor(env, FloatBuffer.wrap(batch), new long[] {fed, 3, size, size}));
            if (signature.text() != null) {
                int len = tokenizer.maxLength();
                long[] ids = new long[fed * len];
                long[] mask = new long[fed * len];
                for (int r = 0; r < fed; r++) {
                    ClipTokenizer.Encoding e = tokenizer.encodeWithMask(prompts.get(start + Math.min(r, n - 1)));
                    int[] m = e.attentionMask();
                    for (int t = 0; t < len; t++) {
                        ids[r * len + t] = e.ids()[t];
                        mask[r * len + t] = m[t];
                    }
                }
                long[] shape = {fed, len};
                inputs.put(signature.text(), tokens(env, ids, shape, signature.textType()));
                if (signature.mask() != null) {
                    inputs.put(signature.mask(), tokens(env, mask, shape, signature.maskType()));
                }
            }
            try (OrtSession.Result result = session.run(inputs)) {
                OnnxValue value = result.get(signature.output()).orElseThrow();
                return pick((OnnxTensor) value, fed, n);
            }
        } catch (OrtException e) {
            throw new InvalidInputException("onnx reward '" + info.id() + "': the model failed on a batch of " + fed
                    + ": " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor tokens(OrtEnvironment env, long[] values, long[] shape, OnnxJavaType type) throws OrtException {
        if (type == OnnxJavaType.INT64) {
            return OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape);
        }
        int[] narrow = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            narrow[i] = (int) values[i];
        }
        return OnnxTensor.createTensor(env, IntBuffer.wrap(narrow), shape);
    }

    /** The score of each of the first {@code n} of {@code rows} images from the output tensor. */
    private float[] pick(OnnxTensor out, int rows, int n) {
        long[] shape = out.getInfo().getShape();
        long count = out.getInfo().getNumElements();
        boolean rowsMatch = shape.length == 0 ? rows == 1 : shape[0] == rows;
        if (!rowsMatch || count % rows != 0 || count / rows <= signature.index()) {
            throw new InvalidInputException("onnx reward '" + info.id() + "': the output '" + signature.output()
                    + "' has shape " + Arrays.toString(shape) + " for a batch of " + rows
                    + " (score index " + signature.index() + ")");
        }
        int per = (int) (count / rows);
        float[] scores = new float[n];
        if (out.getInfo().type == OnnxJavaType.DOUBLE) {
            var values = out.getDoubleBuffer();
            for (int i = 0; i < n; i++) {
                scores[i] = (float) values.get(i * per + signature.index());
            }
        } else {
            FloatBuffer values = out.getFloatBuffer();
            for (int i = 0; i < n; i++) {
                scores[i] = values.get(i * per + signature.index());
            }
        }
        return scores;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeQuietly(session);
        }
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException ignored) {
            // nothing left to release that the caller could act on
        }
    }
}
