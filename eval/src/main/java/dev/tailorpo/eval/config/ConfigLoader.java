package dev.tailorpo.eval.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.TailorException;
import dev.tailorpo.eval.util.DidYouMean;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Loads YAML configuration into Java records, and writes records back as YAML.
 *
 * <p>Conventions (see also the eval module's docs):
 * <ul>
 *   <li>YAML keys are the snake_case forms of the record components ({@code weightDecay} is
 *       {@code weight_decay}); a {@code @JsonProperty} on a component renames it.</li>
 *   <li>An unknown key fails with its full path and the known keys at that level; a value of the
 *       wrong type fails with its path, what was expected and what was found. Duplicate keys fail.</li>
 *   <li>Defaults: a record may declare {@code public static R defaults()}. The file is laid over that
 *       instance key by key (mappings merge recursively; lists and scalars replace), so a missing key
 *       takes its default. A key whose default is {@code null} is optional and stays null. Records
 *       without {@code defaults()} are all-required, except components whose own type declares
 *       defaults. Elements of lists and maps of records get their element type's defaults.</li>
 *   <li>Overrides {@code key.path=value} (from {@code -D} on the command line) are applied to the
 *       tree before binding: the path is checked against the record types (so it may name a key the
 *       file does not mention, but not one that does not exist), list elements are addressed as
 *       {@code list[0]} or {@code list.0}, and the value is read as YAML ({@code 0.1}, {@code true},
 *       {@code [1, 2]}, {@code {lr: 0.1}}) except for string and path keys, which take the text
 *       verbatim.</li>
 *   <li>Validation of values belongs in the records' compact constructors: an exception thrown
 *       there is reported with the path of the record that refused it.</li>
 * </ul>
 */
public final class ConfigLoader {

    static final ObjectMapper MAPPER = newMapper();

    private ConfigLoader() {}

    /**
     * Reads {@code file} (or nothing, when it is null), applies {@code overrides} and binds the
     * result to {@code type}.
     *
     * @throws ConfigException naming the file, the override and the key path at fault
     */
    public static <T> T load(Class<T> type, Path file, Map<String, String> overrides) {
        if (file == null) {
            return parse(type, "", null, overrides);
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file not found: " + file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        return parse(type, text, file.toString(), overrides);
    }

    /**
     * Like {@link #load} for YAML text; {@code source} names it in messages (a file name, or null).
     */
    public static <T> T parse(Class<T> type, String yaml, String source, Map<String, String> overrides) {
        if (!type.isRecord()) {
            throw new IllegalArgumentException("config types are records; " + type.getName() + " is not");
        }
        return type.cast(new Resolution(type, source, overrides == null ? Map.of() : overrides).run(yaml));
    }

    /**
     * An unmodifiable copy of a config record's map component that keeps the file's key order, so
     * that a run's config.yaml lists keys as the user wrote them on every JVM ({@code Map.copyOf}
     * iterates in an order that changes from one JVM to the next). Null gives an empty map.
     *
     * @param key the component's key, named in the error for a key without a value
     */
    public static <V> Map<String, V> orderedCopy(Map<String, V> map, String key) {
        if (map == null) {
            return Map.of();
        }
        Map<String, V> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new IllegalArgumentException(key + ": '" + k + "' has no value");
            }
            copy.put(k, v);
        });
        return Collections.unmodifiableMap(copy);
    }

    /** The config as YAML, snake_case keys, in record declaration order. */
    public static String toYaml(Object config) {
        try {
            return MAPPER.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new ConfigException("cannot write " + config.getClass().getSimpleName() + " as YAML: "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * Whether two configs hold the same values. Compares what {@link #toYaml} writes as trees, so the
     * order of a map's keys does not count: a user may reorder a file's keys, and run folders
     * written before {@link #orderedCopy} list them in the order of the JVM that wrote them.
     */
    public static boolean sameContent(Object a, Object b) {
        return MAPPER.valueToTree(a).equals(MAPPER.valueToTree(b));
    }

    /** Writes the config as YAML to {@code file}, atomically (a reader never sees half a file). */
    public static void write(Object config, Path file) {
        String yaml = toYaml(config);
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new ConfigException("cannot write config file " + file + ": " + e.getMessage(), e);
        }
    }

    private static ObjectMapper newMapper() {
        YAMLFactory yaml = YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS) // a string "1.5" stays a string
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL) // "key:" with nothing after it is null, as in YAML
                .build();
        SimpleModule paths = new SimpleModule("tailor-config");
        paths.addSerializer(Path.class, new ToStringSerializer(Path.class)); // a path, not a file: URI
        return YAMLMapper.builder(yaml)
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .configure(EnumFeature.WRITE_ENUMS_TO_LOWERCASE, true)
                .addModule(paths)
                .build();
    }

    /** One load: the source names for messages, and the steps from text to record. */
    private static final class Resolution {
        private final Class<?> type;
        private final JavaType rootType;
        private final String source;
        private final Map<String, String> overrides;
        /** canonical override path -> the key as the user wrote it */
        private final Map<String, String> overridden = new LinkedHashMap<>();

        Resolution(Class<?> type, String source, Map<String, String> overrides) {
            this.type = type;
            this.rootType = MAPPER.constructType(type);
            this.source = source;
            this.overrides = overrides;
        }

        Object run(String yaml) {
            JsonNode raw = readFile(yaml);
            JsonNode tree = normalize(raw, rootType, "", null, false);
            for (Map.Entry<String, String> o : overrides.entrySet()) {
                applyOverride((ObjectNode) tree, o.getKey(), o.getValue());
            }
            tree = normalize(tree, rootType, "", null, true);
            try {
                return MAPPER.treeToValue(tree, type);
            } catch (DatabindException e) {
                throw bindingError(tree, e);
            } catch (JsonProcessingException e) {
                throw new ConfigException(where("") + e.getOriginalMessage(), e);
            }
        }

        private JsonNode readFile(String yaml) {
            JsonNode raw;
            try {
                raw = MAPPER.readTree(yaml);
            } catch (JsonProcessingException e) {
                String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ": ";
                throw new ConfigException((source == null ? "" : source + ": ") + where + "not valid YAML: "
                        + e.getOriginalMessage(), e);
            }
            if (raw == null || raw.isMissingNode() || raw.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!raw.isObject()) {
                throw new ConfigException((source == null ? "" : source + ": ")
                        + "expected a mapping of keys at the top level, got " + show(raw));
            }
            return raw;
        }

        /**
         * Checks every key against the record types and lays the defaults under the given values.
         * With {@code requireAll}, a key that has neither a value nor a default is an error.
         */
        private JsonNode normalize(JsonNode node, JavaType type, String path, JsonNode inherited, boolean requireAll) {
            Class<?> raw = type.getRawClass();
            if (raw.isRecord()) {
                if (node.isNull()) {
                    return node;
                }
                RecordShape shape = RecordShape.of(raw, MAPPER);
                if (!node.isObject()) {
                    throw error(path, "expected a mapping with keys " + String.join(", ", shape.keys().keySet())
                            + ", got " + show(node));
                }
                for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                    String name = names.next();
                    if (!shape.keys().containsKey(name)) {
                        throw unknownKey(child(path, name), shape);
                    }
                }
                JsonNode defaults = inherited != null && inherited.isObject() ? inherited : shape.defaults().orElse(null);
                ObjectNode out = JsonNodeFactory.instance.objectNode();
                for (Map.Entry<String, JavaType> key : shape.keys().entrySet()) {
                    String name = key.getKey();
                    JsonNode value = node.get(name);
                    JsonNode fallback = defaults == null ? null : defaults.get(name);
                    if (value == null) {
                        if (fallback != null) {
                            value = fallback.deepCopy();
                        } else if (RecordShape.hasDefaults(key.getValue(), MAPPER)) {
                            value = JsonNodeFactory.instance.objectNode();
                        } else if (requireAll) {
                            throw error(child(path, name), "missing required key");
                        } else {
                            continue;
                        }
                    }
                    out.set(name, normalize(value, key.getValue(), child(path, name), fallback, requireAll));
                }
                return out;
            }
            if ((type.isCollectionLikeType() || type.isArrayType()) && node.isArray()) {
                ArrayNode out = JsonNodeFactory.instance.arrayNode();
                for (int i = 0; i < node.size(); i++) {
                    out.add(normalize(node.get(i), type.getContentType(), path + "[" + i + "]", null, requireAll));
                }
                return out;
            }
            if (type.isMapLikeType() && node.isObject()) {
                ObjectNode out = JsonNodeFactory.instance.objectNode();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    JsonNode fallback = inherited == null ? null : inherited.get(e.getKey());
                    out.set(e.getKey(), normalize(e.getValue(), type.getContentType(), child(path, e.getKey()),
                            fallback, requireAll));
                }
                return out;
            }
            return node; // a scalar, or a mismatch that binding reports with the expected type
        }

        private void applyOverride(ObjectNode root, String key, String value) {
            List<Object> segments = parsePath(key);
            String canonical = canonical(segments);
            overridden.put(canonical, key);
            JsonNode parent = root;
            JavaType t = rootType;
            String path = "";
            for (int i = 0; i < segments.size(); i++) {
                Object seg = segments.get(i);
                JavaType childType;
                Class<?> raw = t.getRawClass();
                if (raw.isRecord()) {
                    RecordShape shape = RecordShape.of(raw, MAPPER);
                    childType = seg instanceof String s ? shape.keys().get(s) : null;
                    if (childType == null) {
                        String at = child(path, String.valueOf(seg));
                        throw overrideError(key, (at.equals(canonical) ? "" : at + ": ")
                                + unknownKeyProblem(String.valueOf(seg), shape));
                    }
                } else if (t.isMapLikeType()) {
                    seg = String.valueOf(seg);
                    childType = t.getContentType();
                } else if (t.isCollectionLikeType() || t.isArrayType()) {
                    if (!(seg instanceof Integer)) {
                        throw overrideError(key, path + " is a list: address its elements as " + path + "[N]");
                    }
                    childType = t.getContentType();
                } else {
                    throw overrideError(key, path + " is " + describe(t) + "; it has no key '" + seg + "'");
                }
                String childPath = seg instanceof Integer n ? path + "[" + n + "]" : child(path, (String) seg);
                boolean last = i == segments.size() - 1;
                JsonNode next = last ? parseValue(key, value, childType) : null;
                if (seg instanceof Integer n) {
                    if (!(parent instanceof ArrayNode list) || n >= list.size()) {
                        int size = parent instanceof ArrayNode list ? list.size() : 0;
                        throw overrideError(key, path + " has " + size + " element" + (size == 1 ? "" : "s")
                                + ", no index " + n);
                    }
                    if (last) {
                        list.set(n, next);
                    } else {
                        next = list.get(n);
                    }
                } else {
                    if (!(parent instanceof ObjectNode map)) {
                        throw overrideError(key, (path.isEmpty() ? "the config" : path) + " is not a mapping here but "
                                + show(parent));
                    }
                    String name = (String) seg;
                    if (last) {
                        map.set(name, next);
                    } else {
                        next = map.get(name);
                        if (next == null || next.isNull()) {
                            if (childType.isCollectionLikeType() || childType.isArrayType()) {
                                throw overrideError(key, childPath + " is not set; give the whole list, e.g. -D"
                                        + childPath + "=[...]");
                            }
                            next = map.putObject(name);
                        }
                    }
                }
                parent = next;
                t = childType;
                path = childPath;
            }
        }

        private JsonNode parseValue(String key, String value, JavaType type) {
            Class<?> raw = type.getRawClass();
            if (raw == String.class || raw == CharSequence.class || Path.class.isAssignableFrom(raw)) {
                return TextNode.valueOf(value); // verbatim: "yes", "1.0" and "a: b" stay text
            }
            try {
                JsonNode node = MAPPER.readTree(value);
                return node == null || node.isMissingNode() ? NullNode.getInstance() : node;
            } catch (JsonProcessingException e) {
                throw overrideError(key, "the value '" + value + "' is not valid YAML: " + e.getOriginalMessage());
            }
        }

        private ConfigException bindingError(JsonNode tree, DatabindException e) {
            List<JsonMappingException.Reference> refs = e instanceof JsonMappingException m ? m.getPath() : List.of();
            StringBuilder path = new StringBuilder();
            JsonNode node = tree;
            for (JsonMappingException.Reference r : refs) {
                if (r.getFieldName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
                    node = node == null ? null : node.get(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    path.append('[').append(r.getIndex()).append(']');
                    node = node == null ? null : node.get(r.getIndex());
                }
            }
            String problem;
            if (e instanceof ValueInstantiationException) {
                Throwable cause = e.getCause() instanceof java.lang.reflect.InvocationTargetException ite
                        && ite.getCause() != null ? ite.getCause() : e.getCause() != null ? e.getCause() : e;
                problem = cause instanceof TailorException || cause instanceof IllegalArgumentException
                        || cause instanceof IllegalStateException || cause instanceof NullPointerException
                        ? cause.getMessage() : cause.toString();
            } else if (e instanceof InvalidFormatException f) {
                problem = "expected " + describe(MAPPER.constructType(f.getTargetType())) + ", got "
                        + (node != null ? show(node) : String.valueOf(f.getValue()));
            } else if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
                problem = "expected " + describe(MAPPER.constructType(m.getTargetType())) + ", got " + show(node);
            } else {
                problem = ((JsonMappingException) e).getOriginalMessage();
            }
            return new ConfigException(where(path.toString()) + problem, e);
        }

        private ConfigException unknownKey(String path, RecordShape shape) {
            String name = path.substring(path.lastIndexOf('.') + 1);
            return error(path, unknownKeyProblem(name, shape));
        }

        private ConfigException error(String path, String problem) {
            return new ConfigException(where(path) + problem);
        }

        private ConfigException overrideError(String key, String problem) {
            return new ConfigException("-D" + key + ": " + problem);
        }

        /**
         * The start of a message about the value at {@code path}: who set it (the nearest enclosing
         * override, else the file) and the path itself, e.g. {@code "train.yaml: train.steps: "}.
         */
        private String where(String path) {
            String best = null;
            for (String o : overridden.keySet()) {
                boolean covers = path.equals(o) || path.startsWith(o + ".") || path.startsWith(o + "[");
                if (covers && (best == null || o.length() > best.length())) {
                    best = o;
                }
            }
            if (best != null) {
                return "-D" + overridden.get(best) + ": " + (path.equals(best) ? "" : path + ": ");
            }
            return (source == null ? "" : source + ": ") + (path.isEmpty() ? "" : path + ": ");
        }
    }

    private static String unknownKeyProblem(String name, RecordShape shape) {
        String known = String.join(", ", shape.keys().keySet());
        return "unknown key; known keys: " + known
                + DidYouMean.closest(name, shape.keys().keySet()).map(s -> "; did you mean '" + s + "'?").orElse("");
    }

    /** Splits {@code a.b[0].c} or {@code a.b.0.c} into names and indices. */
    static List<Object> parsePath(String key) {
        if (key == null || key.isBlank()) {
            throw new ConfigException("-D: an override needs a key, as in -Dtrain.steps=100");
        }
        List<Object> out = new ArrayList<>();
        for (String part : key.split("\\.", -1)) {
            String name = part;
            List<Integer> indices = new ArrayList<>();
            while (name.endsWith("]")) {
                int open = name.lastIndexOf('[');
                String digits = open < 0 ? "" : name.substring(open + 1, name.length() - 1);
                if (!digits.matches("\\d{1,9}")) {
                    throw new ConfigException("-D" + key + ": bad index '" + name + "'; write list[N]");
                }
                indices.add(0, Integer.parseInt(digits));
                name = name.substring(0, open);
            }
            if (name.isEmpty() && indices.isEmpty() || name.isEmpty() && out.isEmpty()) {
                throw new ConfigException("-D" + key + ": empty key in the path");
            }
            if (!name.isEmpty()) {
                out.add(name.matches("\\d{1,9}") ? (Object) Integer.parseInt(name) : name);
            }
            out.addAll(indices);
        }
        return out;
    }

    private static String canonical(List<Object> segments) {
        StringBuilder b = new StringBuilder();
        for (Object s : segments) {
            if (s instanceof Integer n) {
                b.append('[').append(n).append(']');
            } else {
                b.append(b.length() == 0 ? "" : ".").append(s);
            }
        }
        return b.toString();
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** What a value of this type looks like in YAML, for messages. */
    static String describe(JavaType t) {
        Class<?> c = t.getRawClass();
        if (c == int.class || c == Integer.class || c == long.class || c == Long.class || c == short.class
                || c == Short.class || c == byte.class || c == Byte.class || c == BigInteger.class) {
            return "an integer";
        }
        if (c == double.class || c == Double.class || c == float.class || c == Float.class || c == BigDecimal.class) {
            return "a number";
        }
        if (c == boolean.class || c == Boolean.class) {
            return "true or false";
        }
        if (c == String.class || c == CharSequence.class) {
            return "a string";
        }
        if (c.isEnum()) {
            return "one of " + Arrays.stream(c.getEnumConstants())
                    .map(v -> ((Enum<?>) v).name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
        }
        if (Path.class.isAssignableFrom(c)) {
            return "a path";
        }
        if (t.isCollectionLikeType() || t.isArrayType()) {
            return "a list";
        }
        if (t.isMapLikeType() || c.isRecord()) {
            return "a mapping";
        }
        return "a " + c.getSimpleName();
    }

    /** A found value, for messages. */
    static String show(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        if (n.isNull()) {
            return "null";
        }
        if (n.isTextual()) {
            return "'" + n.asText() + "'";
        }
        if (n.isArray()) {
            return "a list";
        }
        if (n.isObject()) {
            return "a mapping";
        }
        return n.asText();
    }
}
