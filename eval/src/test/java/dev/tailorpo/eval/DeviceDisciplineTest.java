package dev.tailorpo.eval;

import dev.tailorpo.diffusion.testing.TestData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every tensor of generation, training and the rewards is made on the device the command was given
 * (a GPU cannot be tested here, so this pins it in the code): in the main sources of every module
 * and plugin, a base manager is always made on an explicit device, and only the device parser picks
 * a device by name. Sub-managers inherit their parent's device, and ops put their results on their
 * operands' device; so with these two rules every array descends from the command's device, except
 * the places listed here with the reason.
 */
class DeviceDisciplineTest {
    /** A base manager on DJL's default device (the first GPU when there is one), whatever --device said. */
    private static final Pattern DEFAULT_MANAGER = Pattern.compile("NDManager\\.newBaseManager\\(\\s*\\)");
    /** A device chosen in code instead of taken from the caller. */
    private static final Pattern FIXED_DEVICE = Pattern.compile("Device\\.(cpu|gpu|fromName)\\(");

    /** File (relative to the repository) -> why it may choose a device itself. */
    private static final Map<String, String> CHOOSES_A_DEVICE = Map.of(
            "eval/src/main/java/dev/tailorpo/eval/cli/DeviceSpec.java", "turns --device into a device",
            "plugins/remote-reward/src/main/java/dev/tailorpo/plugins/remote/RemoteRewardServer.java",
            "the server's own --device flag, and the host memory its decoded images live in");

    @Test
    void managersAreMadeOnTheGivenDeviceAndOnlyTheParsersChooseOne() throws IOException {
        Path repo = TestData.repo();
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(repo)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")
                    && !p.startsWith(repo.resolve("benchmarks"))).toList()) {
                String rel = repo.relativize(f).toString();
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (DEFAULT_MANAGER.matcher(lines.get(i)).find()) {
                        found.add(rel + ":" + (i + 1) + " makes a manager on the default device: " + lines.get(i).strip());
                    }
                    Matcher m = FIXED_DEVICE.matcher(lines.get(i));
                    if (m.find() && !CHOOSES_A_DEVICE.containsKey(rel)) {
                        found.add(rel + ":" + (i + 1) + " chooses a device: " + lines.get(i).strip());
                    }
                }
            }
        }
        assertEquals(List.of(), found, "take the device from the caller (a RewardContext, the command's context, "
                + "an input array's manager)");
    }
}
