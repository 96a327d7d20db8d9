package dev.tailorpo.rewards.onnx;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Parity with PIL 9.4 {@code Image.resize} on mode-F (float) images, values printed by PIL. */
class ResamplerTest {
    private static final float[] RAMP = {0, 1, 0, 1};   // 2x2, columns 0 and 1

    /** 5 rows x 7 columns, {@code (i * 0.37) % 1} in float32. */
    private static final float[] PATTERN = {
        0.0f, 0.37f, 0.74f, 0.11f, 0.48f, 0.85f, 0.22f,
        0.59f, 0.96f, 0.33f, 0.7f, 0.07f, 0.44f, 0.81f,
        0.18f, 0.55f, 0.92f, 0.29f, 0.66f, 0.03f, 0.4f,
        0.77f, 0.14f, 0.51f, 0.88f, 0.25f, 0.62f, 0.99f,
        0.360001f, 0.73f, 0.1f, 0.47f, 0.84f, 0.21f, 0.58f,
    };

    @Test
    void bilinearUpsamplingMatchesPil() {
        float[] out = new Resampler(Resampler.Filter.BILINEAR).resize(RAMP, 0, 2, 2, 4, 4);
        assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, java.util.Arrays.copyOf(out, 4), 1e-6f);
    }

    @Test
    void bicubicUpsamplingMatchesPil() {
        // a = -0.5 overshoots past the edge values, and PIL renormalises the clipped edge windows
        float[] out = new Resampler(Resampler.Filter.BICUBIC).resize(RAMP, 0, 2, 2, 4, 4);
        assertArrayEquals(new float[] {-0.0882353f, 0.2071429f, 0.7928572f, 1.0882353f},
                java.util.Arrays.copyOf(out, 4), 1e-6f);
    }

    @Test
    void antialiasedDownsamplingMatchesPil() {
        float[] bl = new Resampler(Resampler.Filter.BILINEAR).resize(PATTERN, 0, 5, 7, 2, 3);
        assertArrayEquals(new float[] {0.5175325f, 0.4647059f, 0.4733767f, 0.4735068f, 0.5297328f, 0.5170130f}, bl, 2e-6f);
        float[] bc = new Resampler(Resampler.Filter.BICUBIC).resize(PATTERN, 0, 5, 7, 2, 3);
        assertArrayEquals(new float[] {0.5171515f, 0.4629719f, 0.4660194f, 0.4737366f, 0.5297865f, 0.5192600f}, bc, 2e-6f);
    }

    @Test
    void sameSizeIsACopyAtTheOffset() {
        float[] two = {9, 9, 1, 2, 3, 4};
        assertArrayEquals(new float[] {1, 2, 3, 4}, new Resampler(Resampler.Filter.BICUBIC).resize(two, 2, 2, 2, 2, 2));
    }
}
