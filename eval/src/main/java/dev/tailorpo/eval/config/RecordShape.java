package dev.tailorpo.eval.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.tailorpo.api.ConfigException;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys of a config record as they appear in YAML (snake_case, or a {@code @JsonProperty} name
 * on the accessor), their types, and the record's defaults, if it declares them with a
 * {@code public static R defaults()} method.
 */
final class RecordShape {
    private static final Map<Class<?>, RecordShape> CACHE = new ConcurrentHashMap<>();
    private static final PropertyNamingStrategies.NamingBase SNAKE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    private final Class<?> type;
    private final Map<String, JavaType> keys;
    private final JsonNode defaults;

    private RecordShape(Class<?> type, Map<String, JavaType> keys, JsonNode defaults) {
        this.type = type;
        this.keys = keys;
        this.defaults = defaults;
    }

    static RecordShape of(Class<?> type, ObjectMapper mapper) {
        return CACHE.computeIfAbsent(type, t -> build(t, mapper));
    }

    /** The YAML keys in declaration order, with their types. */
    Map<String, JavaType> keys() {
        return keys;
    }

    /** The defaults as a YAML tree (null values kept: a null default makes a key optional), if any. */
    Optional<JsonNode> defaults() {
        return Optional.ofNullable(defaults);
    }

    static boolean hasDefaults(JavaType type, ObjectMapper mapper) {
        return type.getRawClass().isRecord() && of(type.getRawClass(), mapper).defaults != null;
    }

    private static RecordShape build(Class<?> type, ObjectMapper mapper) {
        Map<String, JavaType> keys = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            JsonProperty renamed = c.getAccessor().getAnnotation(JsonProperty.class);
            String key = renamed != null && !renamed.value().isEmpty() ? renamed.value() : SNAKE.translate(c.getName());
            keys.put(key, mapper.getTypeFactory().constructType(c.getGenericType()));
        }
        return new RecordShape(type, Collections.unmodifiableMap(keys), defaultsTree(type, mapper));
    }

    private static JsonNode defaultsTree(Class<?> type, ObjectMapper mapper) {
        Method m;
        try {
            m = type.getDeclaredMethod("defaults");
        } catch (NoSuchMethodException e) {
            return null;
        }
        if (!Modifier.isStatic(m.getModifiers()) || !type.isAssignableFrom(m.getReturnType())) {
            return null;
        }
        try {
            m.trySetAccessible();
            Object instance = m.invoke(null);
            if (instance == null) {
                throw new ConfigException(type.getName() + ".defaults() returned null");
            }
            return mapper.valueToTree(instance);
        } catch (IllegalAccessException e) {
            throw new ConfigException("cannot call " + type.getName() + ".defaults(): " + e.getMessage(), e);
        } catch (InvocationTargetException e) {
            throw new ConfigException(type.getName() + ".defaults() failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public String toString() {
        return type.getSimpleName() + keys.keySet();
    }
}
