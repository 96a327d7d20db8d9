package dev.tailorpo.plugins.remote;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.reward.RewardInfo;
import dev.tailorpo.api.reward.RewardModel;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;

/**
 * The client side: each {@link #score} call is one POST of the whole batch (protocol
 * {@code tailorpo-reward/1}, see README.md). Connection failures, timeouts and 5xx answers are
 * retried with a doubling pause, since a scorer that is restarting or briefly overloaded should not
 * end a training run; 4xx answers and protocol violations are not, since they would only repeat.
 */
final class RemoteReward implements RewardModel {
    private static final long FIRST_PAUSE_MS = 100;

    private final RewardInfo info;
    private final URI url;
    private final Duration timeout;
    private final int retries;
    private final ImageCodec codec;
    private final HttpClient http;

    RemoteReward(RewardInfo info, URI url, Duration timeout, int retries, ImageCodec codec) {
        this.info = info;
        this.url = url;
        this.timeout = timeout;
        this.retries = retries;
        this.codec = codec;
        // HTTP/1.1: no h2c upgrade dance, which some small Python servers mishandle on a POST
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public RewardInfo info() {
        return info;
    }

    @Override
    public float[] score(NDArray images, List<String> prompts) {
        long[] s = images.getShape().getShape();
        if (s.length != 4 || s[1] != 3 || s[0] != prompts.size()) {
            throw new InvalidInputException("remote reward '" + info.id() + "': expected (B, 3, H, W) images and B prompts, got "
                    + images.getShape() + " and " + prompts.size() + " prompts");
        }
        if (prompts.isEmpty()) {
            return new float[0];                              // nothing to ask the server
        }
        float[] pixels = (images.getDataType() == DataType.FLOAT32 ? images : images.toType(DataType.FLOAT32, false)).toFloatArray();
        byte[] body = RemoteProtocol.request(codec, prompts, pixels, (int) s[2], (int) s[3]);
        byte[] answer = post(body);
        float[] scores;
        try {
            scores = RemoteProtocol.parseScores(answer, prompts.size());
        } catch (InvalidInputException e) {
            throw new RemoteRewardException("remote reward '" + info.id() + "' at " + url + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < scores.length; i++) {
            if (!Float.isFinite(scores[i])) {
                throw new InvalidInputException("remote reward '" + info.id() + "' at " + url + " returned " + scores[i]
                        + " for image " + i + " (prompt '" + prompts.get(i) + "')");
            }
        }
        return scores;
    }

    /** POSTs with retries; returns the body of a 2xx answer. */
    private byte[] post(byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        String last = null;
        Exception cause = null;
        int made = 0;
        for (int attempt = 0; attempt <= retries; attempt++) {
            if (attempt > 0) {
                pause(attempt);
            }
            made++;
            try {
                HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return response.body();
                }
                last = "HTTP " + status + ": " + RemoteProtocol.errorMessage(response.body());
                cause = null;
                if (status < 500) {
                    break;                                   // the request itself is wrong: retrying repeats it
                }
            } catch (HttpTimeoutException e) {
                last = "timed out after " + timeout.toMillis() + " ms";
                cause = e;
            } catch (ConnectException e) {
                last = "cannot connect (" + (e.getMessage() == null ? "connection refused" : e.getMessage()) + ")";
                cause = e;
            } catch (IOException e) {
                last = "I/O error: " + e;
                cause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RemoteRewardException("remote reward '" + info.id() + "': interrupted while waiting for " + url, e);
            }
        }
        throw new RemoteRewardException("remote reward '" + info.id() + "' at " + url + ": " + last
                + " (" + made + " attempt(s))", cause);
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(FIRST_PAUSE_MS << Math.min(attempt - 1, 6));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteRewardException("interrupted between retries", e);
        }
    }
}
