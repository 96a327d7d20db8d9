package dev.tailorpo.diffusion.io;

import dev.tailorpo.api.ModelFormatException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle virtual machine that reads the {@code data.pkl} of a {@code torch.save} checkpoint and
 * nothing more. Weight files are data, never code: it implements only the opcodes a state dict
 * uses (protocol 2 as torch writes it, plus the protocol 4 framing), resolves GLOBAL and
 * STACK_GLOBAL only through the allowlist in {@link TorchGlobals}, and refuses anything else with
 * a {@link ModelFormatException} naming the opcode or the class. Nothing outside this class and
 * its allowlist ever runs on the pickle's behalf.
 *
 * <p>Python values become: int as {@link Long}, float as {@link Double}, bool as {@link Boolean},
 * None as null, str as {@link String}, list as {@link ArrayList}, tuple as {@link Tuple}, dict and
 * OrderedDict as {@link LinkedHashMap} (insertion order is the state-dict order), storages
 * as whatever the persistent loader returns, tensors as {@link TorchTensorRef}.
 */
final class RestrictedUnpickler {

    /** Hands a BINPERSID id (torch: {@code ('storage', type, key, location, numel)}) to the caller. */
    @FunctionalInterface
    interface PersistentLoader {
        Object load(Object pid);
    }

    /** A Python tuple: immutable, so it can never be the target of APPEND or SETITEM. */
    record Tuple(List<Object> items) {
        Tuple {
            items = Collections.unmodifiableList(new ArrayList<>(items));
        }

        @Override
        public String toString() {
            // never recurse into a (possibly cyclic) value graph from a message
            return "tuple of " + items.size();
        }
    }

    private static final Tuple EMPTY_TUPLE = new Tuple(List.of());

    /** Module and class names of a GLOBAL are short identifiers; a longer line is garbage. */
    private static final int MAX_GLOBAL_LINE = 256;

    private final byte[] data;
    private final String source;
    private final PersistentLoader persistentLoader;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int pos;
    private int opcodeAt;

    private RestrictedUnpickler(byte[] data, String source, PersistentLoader persistentLoader) {
        this.data = data;
        this.source = source;
        this.persistentLoader = persistentLoader;
    }

    /**
     * Runs the pickle in {@code data} to its STOP and returns the value it built.
     *
     * @param source names the pickle in error messages (file and entry)
     */
    static Object load(byte[] data, String source, PersistentLoader persistentLoader) {
        return new RestrictedUnpickler(data, source, persistentLoader).run();
    }

    private Object run() {
        while (true) {
            if (pos >= data.length) {
                throw fail("the pickle ends without a STOP opcode (truncated)");
            }
            opcodeAt = pos;
            int op = data[pos++] & 0xFF;
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = u8();
                    if (proto > 5) {
                        throw fail("unsupported pickle protocol " + proto);
                    }
                }
                case 0x95 -> skip(8); // FRAME (protocol 4): a length hint, the data follow inline
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> marks.add(stack.size()); // MARK
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case ')' -> push(EMPTY_TUPLE); // EMPTY_TUPLE (immutable, so one instance serves)
                case 't' -> push(new Tuple(popMark())); // TUPLE
                case 0x85 -> push(new Tuple(popN(1))); // TUPLE1
                case 0x86 -> push(new Tuple(popN(2))); // TUPLE2
                case 0x87 -> push(new Tuple(popN(3))); // TUPLE3
                case 'X' -> push(string(u32())); // BINUNICODE
                case 0x8C -> push(string(u8())); // SHORT_BINUNICODE
                case 'J' -> push((long) (int) le(4)); // BININT: signed 32-bit
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push(le(2)); // BININT2: unsigned 16-bit
                case 0x8A -> push(long1()); // LONG1
                case 'G' -> push(binfloat()); // BINFLOAT
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 'N' -> push(null); // NONE
                case 'h' -> push(memoGet(u8())); // BINGET
                case 'j' -> push(memoGet(u32())); // LONG_BINGET
                case 'q' -> memo.put((long) u8(), peek()); // BINPUT
                case 'r' -> memo.put(u32(), peek()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 's' -> { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    putItem(key, value);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    if (items.size() % 2 != 0) {
                        throw fail("SETITEMS with an odd number of items");
                    }
                    for (int i = 0; i < items.size(); i += 2) {
                        putItem(items.get(i), items.get(i + 1));
                    }
                }
                case 'a' -> { // APPEND
                    Object value = pop();
                    list().add(value);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    list().addAll(items);
                }
                case 'c' -> push(global(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw fail("STACK_GLOBAL expects two strings");
                    }
                    push(global(m, n));
                }
                case 'R' -> reduce(); // REDUCE
                case 'b' -> build(); // BUILD
                case 'Q' -> push(persistentLoader.load(pop())); // BINPERSID
                default -> throw fail("unsupported pickle opcode " + opcodeName(op)
                        + "; a checkpoint may hold only state-dict data");
            }
        }
    }

    private Object global(String module, String name) {
        Object resolved = TorchGlobals.resolve(module, name);
        if (resolved == null) {
            throw fail("refusing to load the class or function " + module + "." + name
                    + ": weight files may name only " + TorchGlobals.allowedNames());
        }
        return resolved;
    }

    private void reduce() {
        Object args = pop();
        Object callable = pop();
        if (!(callable instanceof TorchGlobals.Function f)) {
            throw fail("REDUCE on " + typeName(callable) + ", which is not callable in a checkpoint");
        }
        if (!(args instanceof Tuple t)) {
            throw fail("REDUCE of " + f.qualifiedName() + " with " + typeName(args) + " instead of an argument tuple");
        }
        try {
            push(TorchGlobals.call(f, t.items()));
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
    }

    /**
     * BUILD sets an object's attributes from a state. torch.save uses it only to give a state-dict
     * OrderedDict its {@code _metadata} (module versions), which loading weights does not need, so
     * the state is checked and dropped; BUILD on anything but a dict is refused.
     */
    private void build() {
        Object state = pop();
        Object target = peek();
        if (!(target instanceof Map)) {
            throw fail("BUILD on " + typeName(target) + "; only a state-dict OrderedDict may be built");
        }
        if (state != null && !(state instanceof Map)) {
            throw fail("BUILD of a dict with " + typeName(state) + " instead of an attribute dict");
        }
    }

    private void putItem(Object key, Object value) {
        Object target = peek();
        if (!(target instanceof Map)) {
            throw fail("SETITEM on " + typeName(target) + " instead of a dict");
        }
        // Scalar keys only: hashing a list or tuple key could recurse through a cyclic value graph.
        if (key != null && !(key instanceof String || key instanceof Long || key instanceof Boolean || key instanceof Double)) {
            throw fail("dict key of type " + typeName(key) + "; checkpoints use string or integer keys");
        }
        @SuppressWarnings("unchecked")
        Map<Object, Object> map = (Map<Object, Object>) target;
        map.put(key, value);
    }

    private List<Object> list() {
        Object target = peek();
        if (!(target instanceof ArrayList)) {
            throw fail("APPEND on " + typeName(target) + " instead of a list");
        }
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) target;
        return list;
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw fail("memo index " + index + " read before it was written");
        }
        return memo.get(index);
    }

    // ----- the stack

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.size() <= currentMark()) {
            throw fail("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.size() <= currentMark()) {
            throw fail("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private int currentMark() {
        return marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    }

    private List<Object> popN(int n) {
        if (stack.size() - currentMark() < n) {
            throw fail("stack underflow");
        }
        List<Object> tail = stack.subList(stack.size() - n, stack.size());
        List<Object> out = new ArrayList<>(tail);
        tail.clear();
        return out;
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw fail("no MARK to pop to");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> tail = stack.subList(mark, stack.size());
        List<Object> out = new ArrayList<>(tail);
        tail.clear();
        return out;
    }

    // ----- reading the byte stream (every length is checked against what is left)

    private void need(long n) {
        if (n > data.length - pos) {
            throw fail("the pickle is truncated (needs " + n + " more bytes, " + (data.length - pos) + " left)");
        }
    }

    private void skip(int n) {
        need(n);
        pos += n;
    }

    private int u8() {
        need(1);
        return data[pos++] & 0xFF;
    }

    /** An unsigned little-endian integer of {@code n <= 4} bytes. */
    private long le(int n) {
        need(n);
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) (data[pos++] & 0xFF) << (8 * i);
        }
        return v;
    }

    private long u32() {
        return le(4);
    }

    private String string(long length) {
        need(length);
        String s = new String(data, pos, (int) length, StandardCharsets.UTF_8);
        pos += (int) length;
        return s;
    }

    /** LONG1: a length byte, then a little-endian two's-complement integer of that many bytes. */
    private Long long1() {
        int n = u8();
        if (n > 8) {
            throw fail("LONG1 integer of " + n + " bytes does not fit 64 bits");
        }
        need(n);
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) (data[pos + i] & 0xFF) << (8 * i);
        }
        if (n > 0 && n < 8 && (data[pos + n - 1] & 0x80) != 0) {
            v |= -1L << (8 * n); // sign-extend
        }
        pos += n;
        return v;
    }

    /** BINFLOAT: an IEEE double, big-endian. */
    private Double binfloat() {
        need(8);
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = (bits << 8) | (data[pos++] & 0xFF);
        }
        return Double.longBitsToDouble(bits);
    }

    /** One newline-terminated line of a GLOBAL opcode. */
    private String line() {
        int start = pos;
        while (pos < data.length && data[pos] != '\n') {
            if (pos - start >= MAX_GLOBAL_LINE) {
                throw fail("GLOBAL name longer than " + MAX_GLOBAL_LINE + " bytes");
            }
            pos++;
        }
        if (pos >= data.length) {
            throw fail("the pickle is truncated inside a GLOBAL name");
        }
        String s = new String(data, start, pos - start, StandardCharsets.UTF_8);
        pos++;
        return s;
    }

    // ----- messages

    private ModelFormatException fail(String what) {
        return new ModelFormatException(source + ": " + what + " (at byte " + opcodeAt + ")");
    }

    /** A value's Python-ish type for messages; never its contents, which may be huge or cyclic. */
    static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof TorchGlobals.Function f) {
            return f.qualifiedName();
        }
        if (o instanceof TorchDType t) {
            return "torch." + t.storageClass;
        }
        if (o instanceof Tuple) {
            return "tuple";
        }
        if (o instanceof List) {
            return "list";
        }
        if (o instanceof Map) {
            return "dict";
        }
        if (o instanceof Long) {
            return "int";
        }
        if (o instanceof Double) {
            return "float";
        }
        if (o instanceof Boolean) {
            return "bool";
        }
        if (o instanceof String) {
            return "str";
        }
        if (o instanceof TorchStorageRef) {
            return "storage";
        }
        if (o instanceof TorchTensorRef) {
            return "tensor";
        }
        return o.getClass().getSimpleName();
    }

    private static final String[] OPCODE_NAMES = new String[256];

    static {
        String table = "(MARK .STOP 0POP 1POP_MARK 2DUP FFLOAT IINT JBININT KBININT1 LLONG MBININT2 NNONE PPERSID "
                + "QBINPERSID RREDUCE SSTRING TBINSTRING USHORT_BINSTRING VUNICODE XBINUNICODE aAPPEND bBUILD cGLOBAL "
                + "dDICT }EMPTY_DICT eAPPENDS gGET hBINGET iINST jLONG_BINGET lLIST ]EMPTY_LIST oOBJ pPUT qBINPUT "
                + "rLONG_BINPUT sSETITEM tTUPLE )EMPTY_TUPLE uSETITEMS GBINFLOAT BBINBYTES CSHORT_BINBYTES";
        for (String entry : table.split(" ")) {
            OPCODE_NAMES[entry.charAt(0)] = entry.substring(1);
        }
        String[] high = {"PROTO", "NEWOBJ", "EXT1", "EXT2", "EXT4", "TUPLE1", "TUPLE2", "TUPLE3", "NEWTRUE", "NEWFALSE",
            "LONG1", "LONG4", "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES8", "EMPTY_SET", "ADDITEMS", "FROZENSET",
            "NEWOBJ_EX", "STACK_GLOBAL", "MEMOIZE", "FRAME", "BYTEARRAY8", "NEXT_BUFFER", "READONLY_BUFFER"};
        for (int i = 0; i < high.length; i++) {
            OPCODE_NAMES[0x80 + i] = high[i];
        }
    }

    /** E.g. {@code INST (0x69 'i')}, or {@code unknown opcode 0xff}. */
    static String opcodeName(int op) {
        String hex = String.format("0x%02x", op);
        if (OPCODE_NAMES[op] == null) {
            return "unknown opcode " + hex;
        }
        return OPCODE_NAMES[op] + " (" + hex + (op >= 0x20 && op < 0x7F ? " '" + (char) op + "'" : "") + ")";
    }
}
