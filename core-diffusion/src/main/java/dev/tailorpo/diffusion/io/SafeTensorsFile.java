package dev.tailorpo.diffusion.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tailorpo.api.ModelFormatException;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file opened for reading: the header is read and fully validated by {@link #open},
 * and each tensor is read on demand from a memory mapping of only its own bytes, so a multi-GB file
 * never passes through the Java heap.
 *
 * <p>F32, F16 and BF16 tensors load as float32 (16-bit floats are widened exactly, in Java, since
 * DJL cannot hold BF16); F64, I64, I32, I8, U8 and BOOL keep their type. Other dtypes of the format
 * (F8 variants, 16-bit and unsigned integers) do not prevent opening the file, only loading those
 * tensors. Thread-safe: loads may run concurrently until {@link #close}.
 */
public final class SafeTensorsFile implements TensorSource {
    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final SafeTensorsHeader header;
    private volatile boolean closed;

    private SafeTensorsFile(Path path, FileChannel channel, long dataStart, SafeTensorsHeader header) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.header = header;
    }

    /**
     * Opens and validates {@code path}.
     *
     * @throws ModelFormatException if the file is missing, unreadable, truncated or malformed; the
     *     message names the file and the problem (and the tensor key, where one is at fault)
     */
    public static SafeTensorsFile open(Path path) {
        String where = "safetensors file " + path;
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(where + " does not exist", e);
        } catch (IOException e) {
            throw new ModelFormatException("cannot open " + where + ": " + e, e);
        }
        try {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw SafeTensorsHeader.error(where, "file is " + fileSize + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, prefix, 0);
            long headerLength = prefix.getLong(0); // a u64 in the file: negative here means >= 2^63
            if (headerLength < 0 || headerLength > SafeTensorsHeader.MAX_HEADER_BYTES) {
                throw SafeTensorsHeader.error(where, "oversized header: its declared length " + Long.toUnsignedString(headerLength)
                        + " exceeds the limit of " + SafeTensorsHeader.MAX_HEADER_BYTES + " bytes");
            }
            if (headerLength > fileSize - 8) {
                throw SafeTensorsHeader.error(where, "oversized header: its declared length " + headerLength
                        + " is larger than the " + (fileSize - 8) + " bytes that follow it (truncated or not a safetensors file)");
            }
            ByteBuffer json = ByteBuffer.allocate((int) headerLength);
            readFully(channel, json, 8);
            SafeTensorsHeader header = SafeTensorsHeader.parse(json.array(), fileSize - 8 - headerLength, where);
            return new SafeTensorsFile(path, channel, 8 + headerLength, header);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ModelFormatException("cannot read " + where + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public Set<String> keys() {
        return header.entries.keySet();
    }

    @Override
    public TensorInfo info(String key) {
        return entry(key).info();
    }

    /** The {@code __metadata__} string map of the header (empty when the file has none). */
    public Map<String, String> metadata() {
        return header.metadata;
    }

    /**
     * Loads one tensor into {@code manager}: F32/F16/BF16 as float32, other supported dtypes as
     * their own DJL type (see the class comment).
     *
     * @throws ModelFormatException if the key is absent, its dtype cannot be loaded, it exceeds the
     *     2 GB that one DJL array can be created from, or the file shrank since it was opened
     */
    @Override
    public NDArray load(String key, NDManager manager) {
        if (closed) {
            throw new IllegalStateException(describe() + " is closed");
        }
        SafeTensorsHeader.Entry entry = entry(key);
        SafeTensorsDtype dtype = entry.dtype();
        if (dtype.loadedAs == null) {
            throw SafeTensorsHeader.error(describe(), "tensor '" + key + "' has dtype " + dtype
                    + ", which cannot be loaded (loadable: " + SafeTensorsDtype.loadable() + ")");
        }
        long outBytes;
        try {
            outBytes = Math.multiplyExact(entry.numel(), dtype.loadedAs.getNumOfBytes());
        } catch (ArithmeticException e) {
            outBytes = Long.MAX_VALUE;
        }
        if (outBytes > Integer.MAX_VALUE) {
            // DJL creates an array from one ByteBuffer, whose capacity is an int
            throw SafeTensorsHeader.error(describe(), "tensor '" + key + "' " + entry.info() + " is " + outBytes
                    + " bytes once loaded; at most " + Integer.MAX_VALUE + " bytes fit one array");
        }
        // A fresh buffer, not the mapping itself: DJL's PyTorch engine wraps a direct buffer without
        // copying it, and a tensor aliasing a read-only file mapping would crash on its first in-place update.
        ByteBuffer out = manager.allocateDirect((int) outBytes);
        if (entry.length() > 0) {
            decode(dtype, map(key, entry), out);
        }
        return manager.create(out.rewind(), new Shape(entry.info().shape()), dtype.loadedAs);
    }

    @Override
    public String describe() {
        return "safetensors file " + path;
    }

    /** Closes the file; arrays already loaded stay valid (they never alias the file). */
    @Override
    public void close() {
        closed = true;
        closeQuietly(channel);
    }

    @Override
    public String toString() {
        return describe() + " (" + header.entries.size() + " tensors)";
    }

    private SafeTensorsHeader.Entry entry(String key) {
        SafeTensorsHeader.Entry entry = header.entries.get(key);
        if (entry == null) {
            throw SafeTensorsHeader.error(describe(), "no tensor '" + key + "'");
        }
        return entry;
    }

    /**
     * Maps just this tensor's bytes. The mapping is released when the buffer is garbage-collected;
     * it is dropped right after the copy, so only address space, not memory, lingers until then.
     */
    private ByteBuffer map(String key, SafeTensorsHeader.Entry entry) {
        long position = dataStart + entry.begin();
        try {
            // touching a mapping beyond the end of a file that shrank after open() kills the thread with SIGBUS
            long size = channel.size();
            if (position + entry.length() > size) {
                throw SafeTensorsHeader.error(describe(), "tensor '" + key + "' lies beyond the end of the file, which shrank to "
                        + size + " bytes since it was opened");
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, position, entry.length()).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read tensor '" + key + "' from " + describe() + ": " + e, e);
        }
    }

    /** Copies little-endian file data into {@code out} (native order), widening 16-bit floats. */
    private static void decode(SafeTensorsDtype dtype, ByteBuffer in, ByteBuffer out) {
        switch (dtype) {
            case F16, BF16 -> {
                ShortBuffer src = in.asShortBuffer();
                FloatBuffer dst = out.asFloatBuffer();
                boolean bf16 = dtype == SafeTensorsDtype.BF16;
                for (int i = 0, n = src.remaining(); i < n; i++) {
                    short bits = src.get(i);
                    dst.put(i, bf16 ? HalfFloats.bf16ToFloat(bits) : HalfFloats.f16ToFloat(bits));
                }
            }
            // typed views so that the bulk copy swaps bytes if the platform is big-endian (and is a
            // plain memory copy on little-endian ones); integer views keep NaN payloads intact
            default -> {
                switch (dtype.size) {
                    case 8 -> out.asLongBuffer().put(in.asLongBuffer());
                    case 4 -> out.asIntBuffer().put(in.asIntBuffer());
                    case 2 -> out.asShortBuffer().put(in.asShortBuffer());
                    default -> out.duplicate().put(in);
                }
            }
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new EOFException("unexpected end of file at byte " + (position + buffer.position()));
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was written, so a failing close loses nothing
        }
    }
}
