package dev.tailorpo.diffusion.io;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.TailorException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes tensors as a safetensors file in the layout of the reference implementation (compact JSON
 * header padded with spaces to a multiple of 8 bytes, so the data section is 8-byte aligned), with
 * tensors in the map's iteration order for both the header and the data.
 *
 * <p>The write is atomic: everything goes to a temporary file in the target's directory, which is
 * flushed to disk and then renamed over the target, so a crash or an error never leaves a partial
 * file under the target's name and an existing file is replaced only by a complete one. Tensor data
 * is streamed one tensor at a time, never assembled in one buffer.
 */
public final class SafeTensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensorsWriter() {}

    /**
     * Writes {@code tensors} (float32, float64, float16, int64, int32, int8, uint8 and boolean
     * arrays, on any device) and optional string {@code metadata} to {@code file}.
     *
     * @param metadata stored as {@code __metadata__}; null or empty for none
     * @throws InvalidInputException if a key, array or metadata value cannot be written (nothing is
     *     written then)
     * @throws TailorException if the file cannot be written (the target is left as it was)
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        List<Planned> plan = plan(file, tensors);
        byte[] header = header(file, plan, metadata);

        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path temp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeFully(out, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
                writeFully(out, ByteBuffer.wrap(header));
                for (Planned p : plan) {
                    writeFully(out, data(file, p));
                }
                out.force(true); // the data must be on disk before the rename makes it visible
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new TailorException("cannot write safetensors file " + target + ": " + e, e);
        } finally {
            if (!moved) {
                deleteQuietly(temp);
            }
        }
    }

    /** One tensor's place in the file. */
    private record Planned(String key, NDArray array, SafeTensorsDtype dtype, long[] shape, long begin, long end) {}

    private static List<Planned> plan(Path file, Map<String, NDArray> tensors) {
        List<Planned> plan = new ArrayList<>(tensors.size());
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String key = e.getKey();
            NDArray array = e.getValue();
            if (key == null || key.equals(SafeTensorsHeader.METADATA_KEY)) {
                throw new InvalidInputException("cannot write a tensor named " + key + " to " + file + ": the name is reserved");
            }
            if (array == null) {
                throw new InvalidInputException("cannot write tensor '" + key + "' to " + file + ": the array is null");
            }
            SafeTensorsDtype dtype = SafeTensorsDtype.forWriting(array.getDataType());
            if (dtype == null) {
                throw new InvalidInputException("cannot write tensor '" + key + "' to " + file + ": data type "
                        + array.getDataType() + " has no safetensors counterpart here");
            }
            long bytes = Math.multiplyExact(array.size(), dtype.size);
            plan.add(new Planned(key, array, dtype, array.getShape().getShape(), offset, offset + bytes));
            offset += bytes;
        }
        return plan;
    }

    private static byte[] header(Path file, List<Planned> plan, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafeTensorsHeader.METADATA_KEY);
            metadata.forEach((k, v) -> {
                if (k == null || v == null) {
                    throw new InvalidInputException("cannot write metadata entry " + k + "=" + v + " to " + file + ": null");
                }
                meta.put(k, v);
            });
        }
        for (Planned p : plan) {
            // field order as the reference writes it: dtype, shape, data_offsets
            ObjectNode entry = root.putObject(p.key());
            entry.put("dtype", p.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            Arrays.stream(p.shape()).forEach(shape::add);
            entry.putArray("data_offsets").add(p.begin()).add(p.end());
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /**
     * The array's bytes in row-major order. {@code toByteBuffer(true)} lets DJL hand out a view of
     * the tensor's own memory instead of a copy when it can; the array outlives the write, so the
     * view stays valid. The bytes are native-order, i.e. little-endian on every platform DJL's
     * PyTorch engine ships for.
     */
    private static ByteBuffer data(Path file, Planned p) {
        ByteBuffer data = p.array().toByteBuffer(true);
        if (data.remaining() != p.end() - p.begin()) {
            throw new IllegalStateException("tensor '" + p.key() + "' for " + file + " yielded " + data.remaining()
                    + " bytes, expected " + (p.end() - p.begin()));
        }
        return data;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    /** Makes the rename durable; not every platform can open a directory, which is then skipped. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // the file itself is complete; only the directory entry's durability is left to the OS
        }
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // the original exception matters more; a stray hidden .tmp file is harmless
        }
    }
}
