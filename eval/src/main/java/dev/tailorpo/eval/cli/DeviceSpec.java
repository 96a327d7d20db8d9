package dev.tailorpo.eval.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.TailorException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code --device} the user asked for: {@code cpu}, {@code gpu}, {@code gpu:N}, or nothing
 * (automatic). Parsing checks the syntax only; {@link #resolve()} asks PyTorch what exists, which
 * loads the native library, so commands call it only when they need tensors.
 *
 * @param text the option's value, or null for automatic
 * @param gpu whether a GPU was asked for
 * @param index the GPU's index
 */
public record DeviceSpec(String text, boolean gpu, int index) {
    private static final Pattern SYNTAX = Pattern.compile("(cpu)|gpu(?::(\\d{1,3}))?");

    /** No {@code --device}: the first GPU when PyTorch can use one, else the CPU. */
    public static final DeviceSpec AUTO = new DeviceSpec(null, false, -1);

    /** Parses an option value; null gives {@link #AUTO}. */
    public static DeviceSpec parse(String text) {
        if (text == null) {
            return AUTO;
        }
        Matcher m = SYNTAX.matcher(text.trim().toLowerCase(java.util.Locale.ROOT));
        if (!m.matches()) {
            throw new UsageException("--device: expected cpu, gpu or gpu:N, got '" + text + "'");
        }
        if (m.group(1) != null) {
            return new DeviceSpec(text, false, 0);
        }
        return new DeviceSpec(text, true, m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
    }

    /** The DJL device, checked against the GPUs this PyTorch build can use. */
    public Device resolve() {
        Engine engine;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (RuntimeException | LinkageError e) {
            throw new TailorException("cannot load PyTorch to place tensors on a device: " + e.getMessage(), e);
        }
        boolean cuda = engine.hasCapability(StandardCapabilities.CUDA);
        int gpus = cuda ? engine.getGpuCount() : 0;
        if (text == null) {
            return gpus > 0 ? Device.gpu(0) : Device.cpu();
        }
        if (!gpu) {
            return Device.cpu();
        }
        if (!cuda) {
            throw new InvalidInputException("--device " + text + ": this PyTorch build (" + engine.getVersion()
                    + ") has no CUDA support; use --device cpu");
        }
        if (index >= gpus) {
            throw new InvalidInputException("--device " + text + ": PyTorch sees " + gpus + " GPU"
                    + (gpus == 1 ? "" : "s") + " (gpu:0" + (gpus > 1 ? " to gpu:" + (gpus - 1) : "") + ")");
        }
        return Device.gpu(index);
    }

    /** A device the way {@code --device} spells it: {@code cpu} or {@code gpu:N}. */
    public static String name(Device device) {
        return device.isGpu() ? "gpu:" + device.getDeviceId() : device.getDeviceType();
    }
}
