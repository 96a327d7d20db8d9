package dev.tailorpo.diffusion.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.diffusion.io.SafeTensorsFile;
import dev.tailorpo.diffusion.io.SafeTensorsWriter;
import dev.tailorpo.diffusion.io.TensorSource;
import dev.tailorpo.diffusion.nn.LinearLayer;
import dev.tailorpo.diffusion.nn.Module;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The LoRA adapters attached to one model (typically the UNet), as a module of its own whose
 * children are named by the adapted layer's path, so that its state dict is exactly the
 * diffusers/peft file layout after a prefix: {@code unet.<layer path>.lora_A.weight} and
 * {@code .lora_B.weight}.
 *
 * <p>The adapters hook into the model's {@link LinearLayer}s; the model's own weights are not
 * copied and are frozen on {@link #attach}, so only the adapters train. {@link #setEnabled}
 * switches every adapter at once: with them off the model computes exactly the base network,
 * which is how preference training gets its reference policy without a second copy of the UNet.
 * The switch belongs to the model, not to a thread: policy and reference passes through the same
 * model must not run concurrently.
 */
public final class Lora extends Module {
    /** The prefix diffusers puts before the UNet's keys in {@code pytorch_lora_weights.safetensors}. */
    public static final String UNET_PREFIX = "unet.";

    private final LoraConfig config;
    private final Map<String, LinearLayer> layers = new LinkedHashMap<>();
    private final Map<String, LoraAdapter> adapters = new LinkedHashMap<>();
    private volatile boolean enabled = true;

    private Lora(LoraConfig config) {
        this.config = config;
    }

    /**
     * Attaches a fresh adapter to every {@link LinearLayer} of {@code root} that {@code config}
     * targets, freezes {@code root}'s own weights and makes the adapters trainable.
     *
     * @param manager where the adapter weights live (the model's manager)
     * @param seed initialisation seed of the A matrices (B starts at zero)
     * @throws ConfigException if no layer matches, or a matching layer already has an adapter
     */
    public static Lora attach(Module root, LoraConfig config, NDManager manager, long seed) {
        Lora lora = new Lora(config);
        collect(root, "", config, lora.layers);
        if (lora.layers.isEmpty()) {
            throw new ConfigException("LoRA targets " + config.targets() + " match no linear layer of " + root.getClass().getSimpleName());
        }
        for (Map.Entry<String, LinearLayer> e : lora.layers.entrySet()) {
            LinearLayer layer = e.getValue();
            if (layer.adapter() != null) {
                throw new ConfigException("layer " + e.getKey() + " already has an adapter; detach the other LoRA first");
            }
            LoraAdapter adapter = new LoraAdapter(layer.inFeatures(), layer.outFeatures(), config.rank(), config.scale(), lora::isEnabled);
            lora.adapters.put(e.getKey(), lora.child(e.getKey(), adapter));
        }
        lora.initialize(manager, seed);
        root.setTrainable(false);
        lora.setTrainable(true);
        lora.layers.forEach((path, layer) -> layer.setAdapter(lora.adapters.get(path)));
        return lora;
    }

    private static void collect(Module m, String path, LoraConfig config, Map<String, LinearLayer> out) {
        if (m instanceof LinearLayer l && config.matches(path)) {
            out.put(path, l);
        }
        m.children().forEach((name, c) -> collect(c, path.isEmpty() ? name : path + "." + name, config, out));
    }

    public LoraConfig config() {
        return config;
    }

    /** The adapters by the path of the layer they adapt, in model order. */
    public Map<String, LoraAdapter> adapters() {
        return Collections.unmodifiableMap(adapters);
    }

    /** Switches every adapter on (policy) or off (the base model, bit for bit). */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** Removes the adapters from the model's layers (the model is the base model again). */
    public void detach() {
        layers.forEach((path, layer) -> {
            if (layer.adapter() == adapters.get(path)) {
                layer.setAdapter(null);
            }
        });
    }

    /** Saves the adapter weights as diffusers does for a UNet ({@value #UNET_PREFIX} prefix). */
    public void save(Path file) {
        save(file, UNET_PREFIX);
    }

    /**
     * Saves the adapter weights to a safetensors file under {@code prefix + <layer path>.lora_A.weight}
     * / {@code lora_B.weight}; rank, alpha and targets go into the metadata (diffusers ignores it).
     */
    public void save(Path file, String prefix) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        stateDict().forEach((k, v) -> tensors.put(prefix + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("lora_rank", Integer.toString(config.rank()));
        meta.put("lora_alpha", Float.toString(config.alpha()));
        meta.put("lora_targets", String.join(",", config.targets()));
        SafeTensorsWriter.write(file, tensors, meta);
    }

    /** Loads adapter weights saved by diffusers/peft or {@link #save(Path)} ({@value #UNET_PREFIX} prefix). */
    public void load(Path file, NDManager manager) {
        try (SafeTensorsFile source = SafeTensorsFile.open(file)) {
            load(source, UNET_PREFIX, manager);
        }
    }

    /**
     * Replaces the adapter weights with those under {@code prefix} in {@code source}, strictly:
     * keys under the prefix that match no adapter, adapters without keys and mis-shaped tensors
     * (another rank) are all reported. Keys under other prefixes (a text encoder's LoRA in the same
     * file) are left alone. The adapters stay trainable.
     */
    public void load(TensorSource source, String prefix, NDManager manager) {
        load(source, prefix, Set.of(), manager);
    }
}
