package dev.tailorpo.diffusion.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tailorpo.api.ModelFormatException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated JSON header of a safetensors file.
 *
 * <p>Validation follows the reference implementation (the {@code safetensors} Rust crate): taken
 * in offset order, the tensors must tile the data section exactly, each starting where the previous
 * one ends, the first at 0 and the last ending at the end of the file, and each spanning exactly
 * {@code numel * dtype size} bytes. Everything is checked here, before any tensor is read, so that
 * loading can trust the offsets; all arithmetic on file-supplied numbers is overflow-checked.
 */
final class SafeTensorsHeader {
    /** The reference crate's cap; larger headers are refused before they are read into memory. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION) // a repeated key would silently shadow a tensor
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS) // only space padding may follow the object
            .build();

    /** One tensor's header entry; offsets are relative to the start of the data section. */
    record Entry(TensorInfo info, SafeTensorsDtype dtype, long numel, long begin, long end) {
        long length() {
            return end - begin;
        }
    }

    /** Tensors in header order. */
    final Map<String, Entry> entries;
    final Map<String, String> metadata;

    private SafeTensorsHeader(Map<String, Entry> entries, Map<String, String> metadata) {
        this.entries = Collections.unmodifiableMap(entries);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Parses {@code json} and checks it against a data section of {@code dataLength} bytes.
     *
     * @param where the file, for error messages
     */
    static SafeTensorsHeader parse(byte[] json, long dataLength, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw error(where, "header is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw error(where, "header is not valid JSON: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw error(where, "header is not valid JSON: it is empty");
        }
        if (!root.isObject()) {
            throw error(where, "header is not a JSON object but a JSON " + root.getNodeType().toString().toLowerCase());
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                parseMetadata(field.getValue(), metadata, where);
            } else {
                entries.put(field.getKey(), parseEntry(field.getKey(), field.getValue(), where));
            }
        }
        checkCoverage(entries, dataLength, where);
        return new SafeTensorsHeader(entries, metadata);
    }

    private static void parseMetadata(JsonNode node, Map<String, String> out, String where) {
        if (!node.isObject()) {
            throw error(where, METADATA_KEY + " is not a JSON object of strings");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw error(where, METADATA_KEY + " entry '" + e.getKey() + "' is not a string but " + e.getValue());
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static Entry parseEntry(String key, JsonNode node, String where) {
        if (!node.isObject()) {
            throw error(where, "tensor '" + key + "': entry is not a JSON object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw error(where, "tensor '" + key + "': missing or non-string \"dtype\"");
        }
        SafeTensorsDtype dtype = SafeTensorsDtype.parse(dtypeNode.textValue());
        if (dtype == null) {
            throw error(where, "tensor '" + key + "': unknown dtype '" + dtypeNode.textValue() + "' (known: "
                    + Arrays.toString(SafeTensorsDtype.values()) + ")");
        }
        long[] shape = nonNegativeLongs(node.get("shape"), -1, key, "shape", where);
        long[] offsets = nonNegativeLongs(node.get("data_offsets"), 2, key, "data_offsets", where);
        long numel;
        long bytes;
        try {
            numel = 1;
            for (long d : shape) {
                numel = Math.multiplyExact(numel, d);
            }
            bytes = Math.multiplyExact(numel, dtype.size);
        } catch (ArithmeticException e) {
            throw error(where, "tensor '" + key + "': shape " + Arrays.toString(shape) + " of " + dtype + " overflows a 64-bit byte count");
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw error(where, "tensor '" + key + "': data_offsets " + Arrays.toString(offsets) + " begin after they end");
        }
        if (end - begin != bytes) {
            throw error(where, "tensor '" + key + "': mismatched byte length: " + dtype + " " + Arrays.toString(shape)
                    + " needs " + bytes + " bytes but data_offsets " + Arrays.toString(offsets) + " span " + (end - begin));
        }
        return new Entry(new TensorInfo(key, dtype.name(), shape), dtype, numel, begin, end);
    }

    /** A JSON array of non-negative integers that fit a long; of length {@code length} unless it is -1. */
    private static long[] nonNegativeLongs(JsonNode node, int length, String key, String field, String where) {
        String expected = length == 2 ? "a pair [begin, end] of non-negative integers" : "an array of non-negative integers";
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            throw error(where, "tensor '" + key + "': \"" + field + "\" is not " + expected + ": " + node);
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw error(where, "tensor '" + key + "': \"" + field + "\" is not " + expected + ": " + node);
            }
            out[i] = v.longValue();
        }
        return out;
    }

    /** The reference rule: in offset order the tensors tile [0, dataLength) with no gap or overlap. */
    private static void checkCoverage(Map<String, Entry> entries, long dataLength, String where) {
        List<Entry> byOffset = new ArrayList<>(entries.values());
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.begin() != covered) {
                String problem;
                if (previous == null) {
                    problem = "leave a gap of " + e.begin() + " bytes at the start of the data section";
                } else {
                    problem = (e.begin() < covered ? "overlap" : "leave a gap of " + (e.begin() - covered) + " bytes after")
                            + " tensor '" + previous.info().name() + "', which ends at " + covered;
                }
                throw error(where, "tensor '" + e.info().name() + "': data_offsets [" + e.begin() + ", " + e.end() + "] " + problem
                        + "; tensors must tile the data section without gaps or overlaps");
            }
            covered = e.end();
            previous = e;
        }
        if (covered > dataLength) {
            Entry first = byOffset.stream().filter(e -> e.end() > dataLength).findFirst().orElseThrow();
            throw error(where, "offsets past the end of the data section: tensor '" + first.info().name() + "' has data_offsets ["
                    + first.begin() + ", " + first.end() + "] but the data section holds " + dataLength + " bytes (the file is truncated by "
                    + (covered - dataLength) + " bytes, or its header is corrupt)");
        }
        if (covered < dataLength) {
            throw error(where, "the tensors cover " + covered + " bytes of the data section but it holds " + dataLength
                    + " (" + (dataLength - covered) + " trailing bytes)");
        }
    }

    static ModelFormatException error(String where, String what) {
        return new ModelFormatException(where + ": " + what);
    }
}
