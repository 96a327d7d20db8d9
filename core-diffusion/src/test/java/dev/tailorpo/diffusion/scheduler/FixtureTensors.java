package dev.tailorpo.diffusion.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minimal, test-only reader of F32 safetensors fixtures: an 8-byte little-endian header length,
 * a JSON header {name: {dtype, shape, data_offsets}}, then the data. To be replaced by the
 * project's {@code SafeTensorsFile} once that branch is merged.
 */
final class FixtureTensors {
    private final ByteBuffer data;
    private final JsonNode header;
    private final Path file;

    FixtureTensors(Path file) throws IOException {
        this.file = file;
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) all.getLong(0);
        byte[] json = new byte[headerLength];
        all.get(8, json);
        this.header = new ObjectMapper().readTree(new String(json, StandardCharsets.UTF_8));
        this.data = all.slice(8 + headerLength, all.capacity() - 8 - headerLength).order(ByteOrder.LITTLE_ENDIAN);
    }

    float[] floats(String key) {
        JsonNode entry = header.get(key);
        if (entry == null || !"F32".equals(entry.get("dtype").asText())) {
            throw new IllegalArgumentException(file + ": no F32 tensor '" + key + "'");
        }
        int begin = entry.get("data_offsets").get(0).asInt();
        int end = entry.get("data_offsets").get(1).asInt();
        float[] out = new float[(end - begin) / 4];
        data.slice(begin, end - begin).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    Shape shape(String key) {
        JsonNode dims = header.get(key).get("shape");
        long[] s = new long[dims.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = dims.get(i).asLong();
        }
        return new Shape(s);
    }

    NDArray load(String key, NDManager manager) {
        return manager.create(floats(key), shape(key));
    }
}
