package dev.tailorpo.plugins.remote;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tailorpo.api.InvalidInputException;
import dev.tailorpo.api.TailorException;
import dev.tailorpo.api.plugin.PluginRegistry;
import dev.tailorpo.api.reward.RewardContext;
import dev.tailorpo.api.reward.RewardModel;
import dev.tailorpo.api.reward.RewardProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves any {@link RewardModel} over protocol {@code tailorpo-reward/1} (README.md) with the JDK's
 * HTTP server: {@code POST path} scores a batch, {@code GET path} describes the reward. Requests are
 * handled one at a time on a single thread, because a reward model need not be thread-safe (and
 * batching belongs to the client). Request bodies, image sizes and counts are bounded.
 *
 * <p>The server does not own the model: closing the server leaves it open.
 */
public final class RemoteRewardServer implements AutoCloseable {
    /** The path the client's {@code url} usually ends with. */
    public static final String DEFAULT_PATH = "/score";
    static final long MAX_BODY_BYTES = 256L << 20;

    private final HttpServer server;
    private final ExecutorService worker;
    private final RewardModel model;
    private final NDManager manager;
    private final String path;

    private RemoteRewardServer(HttpServer server, ExecutorService worker, RewardModel model, String path) {
        this.server = server;
        this.worker = worker;
        this.model = model;
        this.path = path;
        // decoded images live on the host; a reward moves them to the device it computes on
        this.manager = NDManager.newBaseManager(Device.cpu());
    }

    /**
     * Starts serving {@code model} at {@code address} (port 0 picks a free one) under {@code path}.
     */
    public static RemoteRewardServer start(RewardModel model, InetSocketAddress address, String path) throws IOException {
        if (!path.startsWith("/")) {
            throw new InvalidInputException("the server path must start with '/', got '" + path + "'");
        }
        HttpServer http = HttpServer.create(address, 0);
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "reward-server-" + model.info().id());
            t.setDaemon(true);
            return t;
        });
        RemoteRewardServer s = new RemoteRewardServer(http, worker, model, path);
        http.createContext(path, s::handle);
        http.setExecutor(worker);
        http.start();
        return s;
    }

    /** Serves on the loopback interface, on a free port, at {@link #DEFAULT_PATH}. */
    public static RemoteRewardServer startOnLoopback(RewardModel model) throws IOException {
        return start(model, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), DEFAULT_PATH);
    }

    /** The URL to give the client as its {@code url} option. */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + path);
    }

    @Override
    public void close() {
        server.stop(0);
        worker.shutdownNow();
        manager.close();
    }

    private void handle(HttpExchange exchange) {
        try {
            dispatch(exchange);
        } catch (IOException | RuntimeException e) {
            // never let an exception escape: the JDK server would drop the connection without an answer
            try {
                reply(exchange, 500, RemoteProtocol.error("server error: " + e));
            } catch (IOException | RuntimeException ignored) {
                // the answer had already started; nothing more can be said
            }
        } finally {
            exchange.close();
        }
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(path)) {
            reply(exchange, 404, RemoteProtocol.error("no such path; the reward is served at " + path));
            return;
        }
        switch (exchange.getRequestMethod()) {
            case "GET" -> reply(exchange, 200, RemoteProtocol.info(model.info()));
            case "POST" -> score(exchange);
            default -> {
                exchange.getResponseHeaders().set("Allow", "GET, POST");
                reply(exchange, 405, RemoteProtocol.error("use POST to score, GET to describe"));
            }
        }
    }

    private void score(HttpExchange exchange) throws IOException {
        RemoteProtocol.Request request;
        try {
            request = RemoteProtocol.parseRequest(readBody(exchange));
        } catch (BodyTooLarge e) {
            reply(exchange, 413, RemoteProtocol.error("request larger than " + MAX_BODY_BYTES + " bytes"));
            return;
        } catch (InvalidInputException e) {
            reply(exchange, 400, RemoteProtocol.error(e.getMessage()));
            return;
        }
        int b = request.prompts().size();
        float[] scores;
        try (NDManager scope = manager.newSubManager()) {
            var images = scope.create(request.pixels(), new Shape(b, 3, request.height(), request.width()));
            scores = model.score(images, request.prompts());
        } catch (InvalidInputException e) {
            reply(exchange, 422, RemoteProtocol.error("reward '" + model.info().id() + "': " + e.getMessage()));
            return;
        } catch (TailorException e) {
            reply(exchange, 500, RemoteProtocol.error("reward '" + model.info().id() + "': " + e.getMessage()));
            return;
        }
        if (scores.length != b) {
            reply(exchange, 500, RemoteProtocol.error("reward '" + model.info().id() + "' gave " + scores.length
                    + " scores for " + b + " images"));
            return;
        }
        for (int i = 0; i < b; i++) {
            if (!Float.isFinite(scores[i])) {
                reply(exchange, 422, RemoteProtocol.error("reward '" + model.info().id() + "' gave " + scores[i]
                        + " for image " + i));
                return;
            }
        }
        reply(exchange, 200, RemoteProtocol.scores(scores));
    }

    /** Signals a body over {@link #MAX_BODY_BYTES}. */
    private static final class BodyTooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > MAX_BODY_BYTES) {
                    throw new BodyTooLarge();
                }
            } catch (NumberFormatException e) {
                throw new InvalidInputException("bad Content-Length '" + declared + "'");
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes((int) MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw new BodyTooLarge();
            }
            return body;
        }
    }

    private static void reply(HttpExchange exchange, int status, byte[] json) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, json.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(json);
        }
    }

    /**
     * {@code RemoteRewardServer --reward ID [--option key=value]... [--host 127.0.0.1] [--port 8765]
     * [--path /score] [--models-dir DIR] [--plugins-dir DIR]}: serves a reward found on the class
     * path or in a plugins folder until the process is stopped. Binds to the loopback interface
     * unless told otherwise: the protocol has no authentication.
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        Map<String, String> flags = new HashMap<>();
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length || !args[i].startsWith("--")) {
                throw new IllegalArgumentException("usage: --reward ID [--option key=value]... [--host H] [--port P] "
                        + "[--path /score] [--models-dir DIR] [--plugins-dir DIR]; bad argument '" + args[i] + "'");
            }
            if (args[i].equals("--option")) {
                String[] kv = args[i + 1].split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("--option needs key=value, got '" + args[i + 1] + "'");
                }
                options.put(kv[0], kv[1]);
            } else {
                flags.put(args[i].substring(2), args[i + 1]);
            }
        }
        String id = flags.get("reward");
        if (id == null) {
            throw new IllegalArgumentException("--reward ID is required");
        }
        Path plugins = flags.containsKey("plugins-dir") ? Path.of(flags.get("plugins-dir")) : null;
        Path models = Path.of(flags.getOrDefault("models-dir", "models"));
        try (PluginRegistry registry = PluginRegistry.discover(List.of(RewardProvider.KIND),
                RemoteRewardServer.class.getClassLoader(), plugins);
             RewardModel model = registry.get(RewardProvider.KIND, id).create(new RewardContext(models,
                     Device.fromName(flags.getOrDefault("device", "cpu")), options));
             RemoteRewardServer server = start(model, new InetSocketAddress(flags.getOrDefault("host", "127.0.0.1"),
                     Integer.parseInt(flags.getOrDefault("port", "8765"))), flags.getOrDefault("path", DEFAULT_PATH))) {
            System.out.println("serving reward '" + id + "' at " + server.uri());
            Thread.currentThread().join();                 // until the process is stopped
        }
    }
}
