package dev.tailorpo.diffusion.io;

import dev.tailorpo.api.ModelFormatException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The opcodes torch's fixtures do not exercise, checked against what Python's pickle decodes. */
class RestrictedUnpicklerTest {

    private static Object run(PickleBytes p) {
        return RestrictedUnpickler.load(p.bytes(), "test.pkl", pid -> {
            throw new AssertionError("no persistent ids here");
        });
    }

    @Test
    void scalarsDecodeAsPythonDoes() {
        // pickle.dumps([-2, 70000, -1, 2**40, -2**40, 1.5, True, None, 'é'], protocol=2), spelled by hand
        PickleBytes p = PickleBytes.proto2().op(']').mark()
                .op('J', 0xFE, 0xFF, 0xFF, 0xFF)                       // BININT -2
                .op('J', 0x70, 0x11, 0x01, 0x00)                       // BININT 70000
                .op(0x8A, 1, 0xFF)                                     // LONG1 -1
                .op(0x8A, 6, 0, 0, 0, 0, 0, 1)                         // LONG1 2^40
                .op(0x8A, 6, 0, 0, 0, 0, 0, 0xFF)                      // LONG1 -2^40
                .op('G', 0x3F, 0xF8, 0, 0, 0, 0, 0, 0)                 // BINFLOAT 1.5 (big-endian)
                .op(0x88).op('N')
                .op(0x8C, 2, 0xC3, 0xA9)                               // SHORT_BINUNICODE 'é'
                .op('e').op('.');
        assertEquals(Arrays.asList(-2L, 70000L, -1L, 1L << 40, -(1L << 40), 1.5, true, null, "é"), run(p));
    }

    @Test
    void memoAndTuplesShareAndNest() {
        // protocol 4 style: FRAME, MEMOIZE, TUPLE3, LONG_BINPUT/LONG_BINGET
        PickleBytes p = new PickleBytes().op(0x80, 4).op(0x95, 20, 0, 0, 0, 0, 0, 0, 0)
                .op(']').op(0x94)                                      // memo 0 = the list
                .op('K', 1).op('K', 2).op('K', 3).op(0x87)             // (1, 2, 3)
                .op('r', 9, 0, 0, 0)                                   // memo 9 = the tuple
                .op('a')
                .op('j', 9, 0, 0, 0).op('a')                           // the same tuple again
                .op('.');
        List<?> list = (List<?>) run(p);
        assertInstanceOf(RestrictedUnpickler.Tuple.class, list.get(0));
        assertEquals(List.of(1L, 2L, 3L), ((RestrictedUnpickler.Tuple) list.get(0)).items());
        assertSame(list.get(0), list.get(1));
    }

    @Test
    void dictsKeepInsertionOrderAndBuildDropsMetadata() {
        PickleBytes p = PickleBytes.proto2().beginDict().str("b").op('K', 1).str("a").op('K', 2).op('u')
                .op('}').str("_metadata").op('}').op('s').op('b')     // BUILD with {'_metadata': {}}
                .op('.');
        Map<?, ?> dict = (Map<?, ?>) run(p);
        assertEquals(new ArrayList<>(List.of("b", "a")), new ArrayList<>(dict.keySet()));
        assertNull(dict.get("_metadata"));
    }

    @Test
    void malformedStreamsFailWithTheirPosition() {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> run(PickleBytes.proto2().op('s')));
        assertTrue(e.getMessage().contains("stack underflow") && e.getMessage().contains("test.pkl"), e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> run(PickleBytes.proto2().op('h', 3)));
        assertTrue(e.getMessage().contains("memo index 3"), e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> run(PickleBytes.proto2().op('X', 0xFF, 0xFF, 0xFF, 0x7F)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> run(PickleBytes.proto2().op(')').op('K', 1).op('a')));
        assertTrue(e.getMessage().contains("APPEND on tuple"), e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> run(PickleBytes.proto2().op(']').op('K', 1).op('b')));
        assertTrue(e.getMessage().contains("BUILD on list"), e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> run(PickleBytes.proto2().op('}').op(']').op('K', 1).op('s')));
        assertTrue(e.getMessage().contains("dict key of type list"), e.getMessage());
    }
}
