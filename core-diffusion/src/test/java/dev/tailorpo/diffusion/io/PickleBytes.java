package dev.tailorpo.diffusion.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes pickle opcodes by hand, the way torch.save's pickler does, and packs them with storages
 * into a torch-style zip, so that tests can craft both valid checkpoints and hostile ones.
 */
final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static PickleBytes proto2() {
        return new PickleBytes().op(0x80).op(2);
    }

    PickleBytes op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleBytes mark() {
        return op('(');
    }

    PickleBytes global(String module, String name) {
        op('c');
        raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    PickleBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X').op(b.length & 0xFF, (b.length >>> 8) & 0xFF, (b.length >>> 16) & 0xFF, b.length >>> 24);
        return raw(b);
    }

    /** BININT1, BININT2 or BININT as torch's pickler picks. */
    PickleBytes integer(long v) {
        if (v >= 0 && v < 256) {
            return op('K', (int) v);
        }
        if (v >= 0 && v < 65536) {
            return op('M', (int) v & 0xFF, (int) (v >>> 8));
        }
        int i = (int) v;
        return op('J', i & 0xFF, (i >>> 8) & 0xFF, (i >>> 16) & 0xFF, i >>> 24);
    }

    /** A tuple of integers (torch.Size and strides). */
    PickleBytes ints(long... values) {
        mark();
        for (long v : values) {
            integer(v);
        }
        return op('t');
    }

    /**
     * {@code _rebuild_tensor_v2(pid, offset, size, stride, False, OrderedDict())} with the persistent
     * id {@code ('storage', torch.<storageType>, key, 'cpu', numel)}.
     */
    PickleBytes tensor(String storageType, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().str("storage").global("torch", storageType).str(key).str("cpu").integer(numel).op('t').op('Q');
        integer(offset).ints(size).ints(stride).op(0x89);
        global("collections", "OrderedDict").op(')').op('R');
        return op('t').op('R');
    }

    /** Starts a state dict: an empty OrderedDict and a MARK for SETITEMS. */
    PickleBytes beginDict() {
        return global("collections", "OrderedDict").op(')').op('R').mark();
    }

    /** Ends the dict begun with {@link #beginDict} and the pickle. */
    PickleBytes endDictAndStop() {
        return op('u').op('.');
    }

    PickleBytes raw(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** A torch-style zip: {@code ckpt/data.pkl}, {@code ckpt/data/<key>}, {@code ckpt/version}, extra entries. */
    static Path checkpoint(Path file, byte[] pickle, Map<String, byte[]> storages, Map<String, byte[]> extra)
            throws IOException {
        return checkpoint(file, pickle, storages, extra, ZipEntry.STORED);
    }

    /** As above with every entry written with {@code method} (torch always STORES; re-zipping tools deflate). */
    static Path checkpoint(Path file, byte[] pickle, Map<String, byte[]> storages, Map<String, byte[]> extra, int method)
            throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("ckpt/data.pkl", pickle);
        storages.forEach((k, v) -> entries.put("ckpt/data/" + k, v));
        entries.put("ckpt/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        entries.putAll(extra);
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(method);
                if (method == ZipEntry.STORED) {
                    entry.setSize(e.getValue().length);
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    static Path checkpoint(Path file, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        return checkpoint(file, pickle, storages, Map.of());
    }
}
