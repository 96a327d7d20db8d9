package dev.tailorpo.diffusion.scheduler;

import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.scheduler.SchedulerConfig;
import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TimestepSpacingTest {

    private static SchedulerConfig spacing(String spacing) {
        Map<String, Object> json = new HashMap<>(SchedulerConfig.stableDiffusionDdim().toMap());
        json.put("timestep_spacing", spacing);
        return SchedulerConfig.fromMap(json);
    }

    @Test
    void leadingMatchesTheFixture() throws IOException {
        float[] expected = new FixtureTensors(TestData.sdTiny("scheduler", "reference.safetensors")).floats("timesteps_20");
        int[] actual = new DdimScheduler(SchedulerConfig.stableDiffusionDdim()).timesteps(20);
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < actual.length; i++) {
            assertEquals(expected[i], actual[i], 0, "timestep " + i);
        }
        assertEquals(981, new DdimScheduler(SchedulerConfig.stableDiffusionDdim()).timesteps(50)[0]);
    }

    /** Values from numpy with diffusers' formulas (round(arange(1000, 0, -100)) - 1, round(linspace(0, 999, 10))). */
    @Test
    void trailingAndLinspace() {
        assertArrayEquals(new int[] {999, 899, 799, 699, 599, 499, 399, 299, 199, 99},
                TimestepSpacing.timesteps(spacing("trailing"), 10));
        assertArrayEquals(new int[] {999, 888, 777, 666, 555, 444, 333, 222, 111, 0},
                TimestepSpacing.timesteps(spacing("linspace"), 10));
        assertArrayEquals(new int[] {999}, TimestepSpacing.timesteps(spacing("trailing"), 1));
        assertArrayEquals(new int[] {0}, TimestepSpacing.timesteps(spacing("linspace"), 1));
    }

    /** numpy's arange gives 62 values for n = 61 (diffusers then appends timestep -1); we keep 61. */
    @Test
    void trailingKeepsExactlyNSteps() {
        int[] ts = TimestepSpacing.timesteps(spacing("trailing"), 61);
        assertEquals(61, ts.length);
        assertEquals(999, ts[0]);
        assertEquals(15, ts[60]);    // round(1000 - 60 * 1000/61) - 1 = round(16.39) - 1
    }

    @Test
    void stepCountsOutsideTheTrainingScheduleFail() {
        assertThrows(InvalidInputException.class, () -> TimestepSpacing.timesteps(spacing("leading"), 0));
        assertThrows(InvalidInputException.class, () -> TimestepSpacing.timesteps(spacing("leading"), 1001));
    }
}
