package dev.tailorpo.eval.util;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DidYouMeanTest {

    @Test
    void distanceCountsEditsAndSwaps() {
        assertEquals(0, DidYouMean.distance("train", "train"));
        assertEquals(1, DidYouMean.distance("trian", "train"));
        assertEquals(1, DidYouMean.distance("lrr", "lr"));
        assertEquals(3, DidYouMean.distance("", "abc"));
        assertEquals(3, DidYouMean.distance("kitten", "sitting"));
    }

    @Test
    void suggestsOnlyLikelyTypos() {
        List<String> commands = List.of("help", "version", "plugins", "train", "train-reward");
        assertEquals(Optional.of("plugins"), DidYouMean.closest("plugin", commands));
        assertEquals(Optional.of("help"), DidYouMean.closest("halp", commands));
        assertEquals(Optional.of("train"), DidYouMean.closest("trian", commands));
        assertEquals(Optional.of("version"), DidYouMean.closest("ver", commands));
        assertEquals(Optional.empty(), DidYouMean.closest("frobnicate", commands));
    }
}
