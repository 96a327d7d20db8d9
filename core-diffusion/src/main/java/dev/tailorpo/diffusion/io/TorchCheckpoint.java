package dev.tailorpo.diffusion.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.ModelFormatException;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A PyTorch {@code torch.save} checkpoint ({@code .pth}, {@code .pt}, {@code .bin}) read safely:
 * the zip's {@code <prefix>/data.pkl} is interpreted by {@link RestrictedUnpickler}, which builds
 * data only and refuses any class outside a state dict's needs, and tensor bytes are read from the
 * {@code <prefix>/data/<key>} entries only when a tensor is loaded.
 *
 * <p>Nested containers are flattened with dotted keys, so {@code {'state_dict': {'w': t}}} gives
 * the key {@code state_dict.w} (load it with the prefix {@code "state_dict."}); list and tuple
 * elements get their index; values that are not tensors (epochs, names, hyper-parameters) are
 * skipped. A checkpoint that is a single tensor has the key {@code ""}. Every tensor loads as
 * float32: F16 and BF16 are widened in Java, integers and booleans converted like
 * {@code tensor.float()}.
 *
 * <p>Storages are read through {@link ZipFile} streams rather than memory-mapped: the JDK parses
 * and checks the zip directory (including zip64), a read of a STORED entry (what torch writes) is a
 * positioned file read without inflation, DEFLATED entries of re-zipped files still work, and no
 * mapping outlives the file (Java 17 cannot unmap). Each load reads only the bytes its view spans,
 * into a direct buffer that DJL adopts without another copy when it is float32 already.
 *
 * <p>Thread-safe: tensors may be loaded concurrently.
 */
public final class TorchCheckpoint implements TensorSource {

    /** A state dict's pickle is about 150 bytes per tensor; 8 MiB is some 50,000 tensors. */
    static final int MAX_PICKLE_BYTES = 8 << 20;
    /** torch writes one entry per storage plus a handful; more than this is not a checkpoint. */
    static final int MAX_ENTRIES = 200_000;
    /** Flattening stops here: real checkpoints nest a few levels; a crafted pickle can nest or share forever. */
    static final int MAX_NESTING = 64;
    static final int MAX_VISITED = 1 << 22;

    private static final Pattern STORAGE_KEY = Pattern.compile("[A-Za-z0-9_]{1,64}");

    private final Path file;
    private final ZipFile zip;
    private final ByteOrder byteOrder;
    private final Map<String, TorchTensorRef> tensors;
    private volatile boolean closed;

    private TorchCheckpoint(Path file, ZipFile zip, ByteOrder byteOrder, Map<String, TorchTensorRef> tensors) {
        this.file = file;
        this.zip = zip;
        this.byteOrder = byteOrder;
        this.tensors = tensors;
    }

    /**
     * Opens a checkpoint and reads its pickle (not its tensor data).
     *
     * @throws ModelFormatException when the file is not a readable torch zip checkpoint, its pickle
     *     uses anything beyond a state dict's opcodes and classes, a storage entry is missing or too
     *     short, or a tensor view runs past its storage; the message names the file and the key,
     *     entry, opcode or class at fault
     */
    public static TorchCheckpoint open(Path file) {
        checkLooksLikeZip(file);
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file + " is not a readable zip archive (truncated or corrupt?): " + e.getMessage(), e);
        }
        try {
            String prefix = checkEntriesAndFindPrefix(zip, file);
            ByteOrder order = readByteOrder(zip, prefix, file);
            String pickleName = prefix + "/data.pkl";
            byte[] pickle = readSmallEntry(zip, zip.getEntry(pickleName), MAX_PICKLE_BYTES, file);
            Object root = RestrictedUnpickler.load(pickle, file + "!" + pickleName, pid -> storage(pid, zip, prefix, file));
            Map<String, TorchTensorRef> tensors = new LinkedHashMap<>();
            flatten(root, "", 0, tensors, new int[1], file);
            tensors.forEach((key, ref) -> ref.validate(key, file.toString()));
            return new TorchCheckpoint(file, zip, order, Collections.unmodifiableMap(tensors));
        } catch (RuntimeException e) {
            closeQuietly(zip);
            throw e;
        }
    }

    @Override
    public Set<String> keys() {
        return tensors.keySet();
    }

    @Override
    public TensorInfo info(String key) {
        TorchTensorRef ref = ref(key);
        return new TensorInfo(key, ref.storage().dtype().infoName, ref.size());
    }

    @Override
    public NDArray load(String key, NDManager manager) {
        TorchTensorRef ref = ref(key);
        Shape shape = new Shape(ref.size());
        long numel = ref.numel();
        if (numel == 0) {
            return manager.zeros(shape, DataType.FLOAT32);
        }
        TorchDType dtype = ref.storage().dtype();
        long spanElements = ref.lastIndex() - ref.offset() + 1;
        if (numel > Integer.MAX_VALUE / 4 || spanElements > Integer.MAX_VALUE / dtype.bytes) {
            throw new ModelFormatException("tensor '" + key + "' in " + file + " has " + numel
                    + " elements, more than one load can hold (2 GiB)");
        }
        ByteBuffer src = readSpan(ref.storage(), ref.offset() * dtype.bytes, (int) spanElements * dtype.bytes, key);
        src.order(byteOrder);
        if (dtype == TorchDType.F32 && ref.isContiguous() && byteOrder == ByteOrder.nativeOrder()) {
            return manager.create(src, shape, DataType.FLOAT32);
        }
        ByteBuffer dst = ByteBuffer.allocateDirect((int) numel * 4).order(ByteOrder.nativeOrder());
        StridedGather.gather(src, dtype, ref.size(), ref.stride(), dst.asFloatBuffer());
        return manager.create(dst, shape, DataType.FLOAT32);
    }

    @Override
    public String describe() {
        return "PyTorch checkpoint " + file;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(zip);
    }

    private TorchTensorRef ref(String key) {
        TorchTensorRef ref = tensors.get(key);
        if (ref == null) {
            throw new ModelFormatException("no tensor '" + key + "' in " + file + " (it holds " + tensors.size() + " tensors)");
        }
        return ref;
    }

    /** Reads {@code length} bytes of a storage entry from {@code byteOffset} into a direct buffer. */
    private ByteBuffer readSpan(TorchStorageRef storage, long byteOffset, int length, String key) {
        if (closed) {
            throw new IllegalStateException(describe() + " is closed");
        }
        ZipEntry entry = zip.getEntry(storage.entryName());
        ByteBuffer buf = ByteBuffer.allocateDirect(length);
        try (InputStream in = zip.getInputStream(entry); ReadableByteChannel channel = Channels.newChannel(in)) {
            in.skipNBytes(byteOffset);
            while (buf.hasRemaining()) {
                if (channel.read(buf) < 0) {
                    throw new EOFException();
                }
            }
        } catch (EOFException e) {
            throw new ModelFormatException("storage entry " + storage.entryName() + " of " + file
                    + " ends before the data of tensor '" + key + "' (truncated file?)", e);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read tensor '" + key + "' from " + storage.entryName() + " of " + file
                    + ": " + e.getMessage(), e);
        }
        return buf.flip();
    }

    // ----- opening

    /** A quick look at the magic number turns "zip END header not found" into something actionable. */
    private static void checkLooksLikeZip(Path file) {
        byte[] head = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, 4);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + file + ": " + e, e);
        }
        if (n == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return;
        }
        if (n >= 1 && (head[0] & 0xFF) == 0x80) {
            throw new ModelFormatException(file + " is a bare pickle (the pre-1.6 torch.save format), not a zip "
                    + "checkpoint; it cannot be read safely: re-save it with torch >= 1.6 or convert it to safetensors");
        }
        throw new ModelFormatException(file + " is not a zip archive, so not a torch.save checkpoint"
                + (n == 0 ? " (the file is empty)" : ""));
    }

    /**
     * Checks every entry name and finds the archive prefix ({@code <prefix>/data.pkl}). The reader
     * never extracts anything, but a name that would escape a folder on extraction, or a name
     * given twice (the zip could then be read two ways), marks a crafted archive.
     */
    private static String checkEntriesAndFindPrefix(ZipFile zip, Path file) {
        if (zip.size() > MAX_ENTRIES) {
            throw new ModelFormatException(file + " has " + zip.size() + " zip entries, more than a checkpoint has ("
                    + MAX_ENTRIES + ")");
        }
        Set<String> seen = new HashSet<>();
        List<String> prefixes = new ArrayList<>();
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
            String name = en.nextElement().getName();
            if (escapes(name)) {
                throw new ModelFormatException(file + " has a zip entry whose name escapes the archive: " + name);
            }
            if (!seen.add(name)) {
                throw new ModelFormatException(file + " has the zip entry " + name + " twice");
            }
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash).equals("/data.pkl")) {
                prefixes.add(name.substring(0, slash));
            }
        }
        if (prefixes.size() != 1) {
            throw new ModelFormatException(file + " is a zip but not a torch.save checkpoint: expected one <prefix>/data.pkl entry, found "
                    + (prefixes.isEmpty() ? "none" : prefixes.size()));
        }
        return prefixes.get(0);
    }

    private static boolean escapes(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0
                || (name.length() > 1 && name.charAt(1) == ':')) {
            return true;
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /** torch >= 2.0 records the writer's byte order; older files are little-endian. */
    private static ByteOrder readByteOrder(ZipFile zip, String prefix, Path file) {
        ZipEntry entry = zip.getEntry(prefix + "/byteorder");
        if (entry == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        String order = new String(readSmallEntry(zip, entry, 16, file), StandardCharsets.US_ASCII).trim();
        return switch (order) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new ModelFormatException(file + ": unknown byte order '" + order + "' in " + entry.getName());
        };
    }

    /** Reads a whole entry, refusing one larger than {@code cap} whatever its header claims. */
    private static byte[] readSmallEntry(ZipFile zip, ZipEntry entry, int cap, Path file) {
        if (entry.getSize() > cap) {
            throw new ModelFormatException(file + ": " + entry.getName() + " has " + entry.getSize()
                    + " bytes, more than the " + cap + " allowed");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes(cap + 1);
            if (bytes.length > cap) {
                throw new ModelFormatException(file + ": " + entry.getName() + " exceeds " + cap + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + entry.getName() + " of " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The persistent load of torch.save: {@code ('storage', storage type or dtype, key, location,
     * numel)} names the entry {@code <prefix>/data/<key>}. The entry is checked to exist and hold
     * the declared elements now, so that a broken file fails at open, naming the storage.
     */
    private static TorchStorageRef storage(Object pid, ZipFile zip, String prefix, Path file) {
        if (!(pid instanceof RestrictedUnpickler.Tuple t) || t.items().size() != 5 || !"storage".equals(t.items().get(0))) {
            throw new ModelFormatException(file + ": persistent id is not ('storage', type, key, location, numel) but "
                    + RestrictedUnpickler.typeName(pid));
        }
        List<Object> id = t.items();
        if (!(id.get(1) instanceof TorchDType dtype)) {
            throw new ModelFormatException(file + ": storage type " + RestrictedUnpickler.typeName(id.get(1))
                    + " is not a torch storage class or dtype");
        }
        if (!(id.get(2) instanceof String key) || !STORAGE_KEY.matcher(key).matches()) {
            throw new ModelFormatException(file + ": storage key " + describeKey(id.get(2)) + " is not a plain name");
        }
        if (!(id.get(4) instanceof Long numel) || numel < 0) {
            throw new ModelFormatException(file + ": storage '" + key + "' has no valid element count");
        }
        String entryName = prefix + "/data/" + key;
        ZipEntry entry = zip.getEntry(entryName);
        if (entry == null) {
            throw new ModelFormatException(file + ": storage '" + key + "' refers to the zip entry " + entryName
                    + ", which is missing");
        }
        long needed;
        try {
            needed = Math.multiplyExact(numel, dtype.bytes);
        } catch (ArithmeticException e) {
            needed = Long.MAX_VALUE;
        }
        if (entry.getSize() < needed) {
            throw new ModelFormatException(file + ": storage '" + key + "' declares " + numel + " " + dtype.infoName
                    + " elements but its entry " + entryName + " holds " + entry.getSize() + " bytes");
        }
        return new TorchStorageRef(key, entryName, dtype, numel);
    }

    private static String describeKey(Object o) {
        return o instanceof String s ? "'" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "'"
                : RestrictedUnpickler.typeName(o);
    }

    /** Collects tensors under dotted keys; see the class comment. */
    private static void flatten(Object value, String key, int depth, Map<String, TorchTensorRef> out, int[] visited,
            Path file) {
        if (depth > MAX_NESTING) {
            throw new ModelFormatException(file + ": the pickle's containers nest deeper than " + MAX_NESTING
                    + " levels (a container holding itself?) at key " + describeKey(key));
        }
        if (++visited[0] > MAX_VISITED) {
            throw new ModelFormatException(file + ": the pickle's containers hold more than " + MAX_VISITED
                    + " values (shared containers?) at key " + describeKey(key));
        }
        if (value instanceof TorchTensorRef ref) {
            if (out.putIfAbsent(key, ref) != null) {
                throw new ModelFormatException(file + ": the key '" + key + "' occurs twice after flattening nested dicts");
            }
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                flatten(e.getValue(), child(key, String.valueOf(e.getKey())), depth + 1, out, visited, file);
            }
        } else if (value instanceof List<?> || value instanceof RestrictedUnpickler.Tuple) {
            List<?> items = value instanceof RestrictedUnpickler.Tuple t ? t.items() : (List<?>) value;
            for (int i = 0; i < items.size(); i++) {
                flatten(items.get(i), child(key, Integer.toString(i)), depth + 1, out, visited, file);
            }
        }
        // anything else (numbers, strings, None, dtypes) is checkpoint metadata, not weights
    }

    private static String child(String key, String name) {
        return key.isEmpty() ? name : key + "." + name;
    }

    private static void closeQuietly(ZipFile zip) {
        try {
            zip.close();
        } catch (IOException ignored) {
            // nothing was written; a failing close cannot lose data
        }
    }
}
