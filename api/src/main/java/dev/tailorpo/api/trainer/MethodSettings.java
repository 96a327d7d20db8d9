package dev.tailorpo.api.trainer;

import dev.tailorpo.api.ConfigException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A method's settings: its documented defaults overlaid with the user's values. Unknown keys fail
 * naming the method and listing the known ones; typed getters fail naming the key when a value has
 * the wrong type.
 */
public final class MethodSettings {
    private final String method;
    private final Map<String, Object> values;

    private MethodSettings(String method, Map<String, Object> values) {
        this.method = method;
        this.values = Collections.unmodifiableMap(values);
    }

    /** The defaults overlaid with {@code overrides}; every override key must be a default key. */
    public static MethodSettings of(String method, Map<String, ?> defaults, Map<String, ?> overrides) {
        Map<String, Object> merged = new LinkedHashMap<>(defaults);
        for (Map.Entry<String, ?> e : overrides.entrySet()) {
            if (!defaults.containsKey(e.getKey())) {
                throw new ConfigException("trainer '" + method + "': unknown setting '" + e.getKey()
                        + "'; known settings: " + String.join(", ", defaults.keySet()));
            }
            merged.put(e.getKey(), e.getValue());
        }
        return new MethodSettings(method, merged);
    }

    /** The method id these settings belong to. */
    public String method() {
        return method;
    }

    /** Every setting, resolved. */
    public Map<String, Object> asMap() {
        return values;
    }

    public double getDouble(String key) {
        return number(key).doubleValue();
    }

    public int getInt(String key) {
        Number n = number(key);
        if (n.doubleValue() != Math.rint(n.doubleValue())) {
            throw wrongType(key, "an integer");
        }
        return n.intValue();
    }

    public boolean getBoolean(String key) {
        Object v = get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, "true or false");
    }

    public String getString(String key) {
        Object v = get(key);
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(key, "a string");
    }

    /** A list of integers (e.g. the trained step indices). */
    public List<Integer> getIntList(String key) {
        Object v = get(key);
        if (!(v instanceof List<?> list)) {
            throw wrongType(key, "a list of integers");
        }
        List<Integer> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
                throw wrongType(key, "a list of integers");
            }
            out.add(n.intValue());
        }
        return List.copyOf(out);
    }

    private Object get(String key) {
        if (!values.containsKey(key)) {
            throw new ConfigException("trainer '" + method + "': no setting '" + key + "'");
        }
        return values.get(key);
    }

    private Number number(String key) {
        Object v = get(key);
        if (v instanceof Number n) {
            return n;
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw wrongType(key, "a number");
            }
        }
        throw wrongType(key, "a number");
    }

    private ConfigException wrongType(String key, String expected) {
        return new ConfigException("trainer '" + method + "': setting '" + key + "' must be " + expected
                + ", got " + values.get(key));
    }
}
