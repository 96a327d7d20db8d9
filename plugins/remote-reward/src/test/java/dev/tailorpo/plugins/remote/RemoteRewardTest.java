package dev.tailorpo.plugins.remote;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.tailorpo.api.ConfigException;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.api.reward.RewardModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RemoteRewardTest {
    private static final List<String> PROMPTS = List.of("a red circle", "a large blue star on a navy background");

    private final NDManager manager = NDManager.newBaseManager();
    private HttpServer stub;

    @AfterEach
    void stop() {
        if (stub != null) {
            stub.stop(0);
        }
        manager.close();
    }

    /** Mean pixel plus 0.01 per prompt character: a score that depends on both inputs. */
    static class MeanAndLength implements RewardModel {
        @Override
        public RewardInfo info() {
            return new RewardInfo("mean-and-length", "Mean+Length", 0, Double.POSITIVE_INFINITY, true, false, 0);
        }

        @Override
        public float[] score(NDArray images, List<String> prompts) {
            long b = images.getShape().get(0);
            float[] mean = images.reshape(b, -1).mean(new int[] {1}).toFloatArray();
            for (int i = 0; i < mean.length; i++) {
                mean[i] += 0.01f * prompts.get(i).length();
            }
            return mean;
        }
    }

    private NDArray randomImages(int b, int h, int w) {
        SplittableRandom r = new SplittableRandom(7);
        float[] px = new float[b * 3 * h * w];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextDouble();
        }
        return manager.create(px, new Shape(b, 3, h, w));
    }

    private static RewardModel client(String... kv) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            o.put(kv[i], kv[i + 1]);
        }
        return new RemoteRewardProvider().create(new RewardContext(null, Device.cpu(), o));
    }

    /** A misbehaving server: answers every request with {@code status} and {@code body} after {@code delayMs}. */
    private URI stub(int status, String body, long delayMs, AtomicInteger hits) throws IOException {
        stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext("/score", ex -> {
            hits.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        stub.start();
        return URI.create("http://127.0.0.1:" + stub.getAddress().getPort() + "/score");
    }

    @Test
    void f32RoundTripIsExact() throws Exception {
        RewardModel model = new MeanAndLength();
        NDArray images = randomImages(2, 5, 4);
        try (RemoteRewardServer server = RemoteRewardServer.startOnLoopback(model);
             RewardModel client = client("url", server.uri().toString(), "encoding", "f32", "id", "served", "name", "Served")) {
            assertEquals("served", client.info().id());
            assertArrayEquals(model.score(images, PROMPTS), client.score(images, PROMPTS), 1e-6f);
        }
    }

    @Test
    void pngRoundTripSeesEightBitPixels() throws Exception {
        RewardModel model = new MeanAndLength();
        NDArray images = randomImages(2, 6, 6);
        NDArray quantized = images.mul(255f).round().div(255f);
        try (RemoteRewardServer server = RemoteRewardServer.startOnLoopback(model);
             RewardModel client = client("url", server.uri().toString())) {
            float[] s = client.score(images, PROMPTS);
            assertArrayEquals(model.score(quantized, PROMPTS), s, 1e-6f);
            assertTrue(s[1] - s[0] > 0.2f, "the prompts reach the server");
        }
    }

    @Test
    void getDescribesTheServedReward() throws Exception {
        try (RemoteRewardServer server = RemoteRewardServer.startOnLoopback(new MeanAndLength())) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode info = RemoteProtocol.JSON.readTree(r.body());
            assertEquals(200, r.statusCode());
            assertEquals("tailorpo-reward/1", info.get("protocol").asText());
            assertEquals("mean-and-length", info.get("id").asText());
            assertTrue(info.get("max").isNull(), "an unbounded end is null");
        }
    }

    @Test
    void serverDownNamesTheUrl() throws Exception {
        URI url;
        try (RemoteRewardServer server = RemoteRewardServer.startOnLoopback(new MeanAndLength())) {
            url = server.uri();
        }
        try (RewardModel client = client("url", url.toString(), "retries", "1")) {
            var e = assertThrows(RemoteRewardException.class, () -> client.score(randomImages(2, 2, 2), PROMPTS));
            assertTrue(e.getMessage().contains(url.toString()) && e.getMessage().contains("cannot connect")
                    && e.getMessage().contains("2 attempt(s)"), e.getMessage());
        }
    }

    @Test
    void wrongNumberOfScoresIsAnError() throws Exception {
        URI url = stub(200, "{\"protocol\":\"tailorpo-reward/1\",\"scores\":[1,2,3]}", 0, new AtomicInteger());
        try (RewardModel client = client("url", url.toString())) {
            var e = assertThrows(RemoteRewardException.class, () -> client.score(randomImages(2, 2, 2), PROMPTS));
            assertTrue(e.getMessage().contains("3 scores for 2 images") && e.getMessage().contains(url.toString()), e.getMessage());
        }
    }

    @Test
    void nanScoresNameTheRewardAndImage() throws Exception {
        // Python's json.dumps writes NaN as a bare token
        URI url = stub(200, "{\"scores\": [0.5, NaN]}", 0, new AtomicInteger());
        try (RewardModel client = client("url", url.toString(), "id", "pyscore")) {
            var e = assertThrows(InvalidInputException.class, () -> client.score(randomImages(2, 2, 2), PROMPTS));
            assertTrue(e.getMessage().contains("remote reward 'pyscore'") && e.getMessage().contains("NaN for image 1"), e.getMessage());
        }
    }

    @Test
    void serverErrorsAreRetriedClientErrorsAreNot() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        URI url = stub(503, "{\"error\": \"warming up\"}", 0, hits);
        try (RewardModel client = client("url", url.toString(), "retries", "2")) {
            var e = assertThrows(RemoteRewardException.class, () -> client.score(randomImages(2, 2, 2), PROMPTS));
            assertTrue(e.getMessage().contains("HTTP 503: warming up") && e.getMessage().contains("3 attempt(s)"), e.getMessage());
            assertEquals(3, hits.get());
        }
        stub.stop(0);
        hits.set(0);
        url = stub(400, "plain text complaint", 0, hits);
        try (RewardModel client = client("url", url.toString(), "retries", "2")) {
            var e = assertThrows(RemoteRewardException.class, () -> client.score(randomImages(2, 2, 2), PROMPTS));
            assertTrue(e.getMessage().contains("HTTP 400: plain text complaint"), e.getMessage());
            assertEquals(1, hits.get());
        }
    }

    @Test
    void slowServersTimeOut() throws Exception {
        URI url = stub(200, "{\"scores\":[1,2]}", 2_000, new AtomicInteger());
        try (RewardModel client = client("url", url.toString(), "timeout_ms", "200", "retries", "0")) {
            var e = assertThrows(RemoteRewardException.class, () -> client.score(randomImages(2, 2, 2), PROMPTS));
            assertTrue(e.getMessage().contains("timed out after 200 ms"), e.getMessage());
        }
    }

    @Test
    void theServerRejectsBadRequestsAndReportsModelErrors() throws Exception {
        RewardModel refusing = new MeanAndLength() {
            @Override
            public float[] score(NDArray images, List<String> prompts) {
                throw new InvalidInputException("cannot score a " + images.getShape().get(2) + "-pixel image");
            }
        };
        try (RemoteRewardServer server = RemoteRewardServer.startOnLoopback(refusing)) {
            HttpClient http = HttpClient.newHttpClient();
            String bad = "{\"protocol\":\"tailorpo-reward/0\",\"encoding\":\"png\",\"height\":1,\"width\":1,\"prompts\":[],\"images\":[]}";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri()).POST(HttpRequest.BodyPublishers.ofString(bad)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode());
            assertTrue(r.body().contains("unsupported protocol 'tailorpo-reward/0'"), r.body());

            // a PNG whose size differs from the declared one
            byte[] png = ImageCodec.PNG.encode(new float[3 * 4], 0, 2, 2);
            String mismatched = "{\"protocol\":\"tailorpo-reward/1\",\"encoding\":\"png\",\"height\":3,\"width\":3,\"prompts\":[\"p\"],"
                    + "\"images\":[\"" + java.util.Base64.getEncoder().encodeToString(png) + "\"]}";
            r = http.send(HttpRequest.newBuilder(server.uri()).POST(HttpRequest.BodyPublishers.ofString(mismatched)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode());
            assertTrue(r.body().contains("expected a PNG of 3x3"), r.body());

            try (RewardModel client = client("url", server.uri().toString())) {
                var e = assertThrows(RemoteRewardException.class, () -> client.score(randomImages(2, 2, 2), PROMPTS));
                assertTrue(e.getMessage().contains("HTTP 422") && e.getMessage().contains("cannot score a 2-pixel image"), e.getMessage());
            }
        }
    }

    @Test
    void badOptionsAreNamed() {
        var e = assertThrows(ConfigException.class, () -> client("url", "http://127.0.0.1:1/score", "timeout", "5"));
        assertTrue(e.getMessage().startsWith("remote reward: unknown option 'timeout'; known options: encoding, "), e.getMessage());
        e = assertThrows(ConfigException.class, () -> client("url", "ftp://example/score"));
        assertTrue(e.getMessage().contains("'url'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> client());
        assertTrue(e.getMessage().contains("'url'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> client("url", "http://127.0.0.1:1/score", "retries", "-1"));
        assertTrue(e.getMessage().contains("'retries'"), e.getMessage());
    }
}
