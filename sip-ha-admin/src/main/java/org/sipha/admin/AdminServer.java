package org.sipha.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's HTTP endpoint, on the JDK's {@code com.sun.net.httpserver}:
 * <pre>
 *   GET  /                             the status page (self-contained HTML, refreshes itself from /status)
 *   GET  /live                         200 while the process serves HTTP
 *   GET  /ready                        200 when new calls should come here, else 503 with the reason
 *   GET  /metrics                      Prometheus text (format 0.0.4)
 *   GET  /status                       the node as JSON: readiness, sets and destinations, anycast, quorum, changes
 *   GET  /destinations                 the sets and destinations as JSON
 *   POST /destinations/{id}/enable     (also disable, drain)          actions: a bearer token when one is set
 *   POST /node/drain
 *   POST /reload[?dry-run=true]
 * </pre>
 * It may face an operator network, so it is bounded: two handler threads and a short queue (beyond it the
 * accepting thread serves, slowing accepts), at most {@value #MAX_BODY_BYTES} bytes of request body, requests and
 * responses bounded in time and headers (the JDK server's {@code sun.net.httpserver.*} limits, set for the JVM
 * unless already set), one action at a time. Bound to a loopback address it answers only requests whose
 * {@code Host} names loopback (no DNS rebinding from a browser); an action carrying an {@code Origin} of another
 * site is refused. Bound anywhere else, a token is required ({@link #start} refuses otherwise).
 *
 * <h2>Threading</h2>
 * {@link #start} once; {@link #attach} once the node runs (until then {@code /ready} says starting and actions get
 * 503); {@link #url} and {@link #close} any thread. Handlers run on the endpoint's own threads.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    static final int MAX_BODY_BYTES = 4096;
    private static final int MAX_TARGET_CHARS = 512;
    private static final int THREADS = 2;
    private static final int QUEUE = 16;

    private final HttpServer http;
    private final ThreadPoolExecutor executor;
    private final AdminMetrics metrics;
    private final BearerToken token;
    private final boolean loopback;
    private final byte[] page;
    private final Object actionLock = new Object();
    private volatile NodeView view;
    private volatile NodeActions actions;

    private AdminServer(HttpServer http, ThreadPoolExecutor executor, AdminMetrics metrics, BearerToken token) {
        this.http = http;
        this.executor = executor;
        this.metrics = metrics;
        this.token = token;
        this.loopback = isLoopback(http.getAddress().getAddress());
        this.page = StatusPage.html();
    }

    /**
     * Binds {@code address} and starts serving: {@code /live}, {@code /metrics} and the page at once, the rest
     * once {@link #attach}ed.
     *
     * @param token the bearer token actions must carry, or null: then actions need none, which is allowed only
     *              on a loopback address
     * @throws IllegalArgumentException if {@code address} is not loopback and {@code token} is null or blank
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static AdminServer start(InetSocketAddress address, String token, AdminMetrics metrics) {
        requireTokenOffLoopback(address, token);
        boundServerLimits();
        HttpServer http;
        try {
            http = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the admin endpoint to " + address + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(
                THREADS,
                THREADS,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE),
                r -> {
                    Thread t = new Thread(r, "sipha-admin-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.CallerRunsPolicy());
        AdminServer s = new AdminServer(
                http,
                executor,
                Objects.requireNonNull(metrics, "metrics"),
                token == null ? null : new BearerToken(token));
        http.setExecutor(executor);
        http.createContext("/", s::handle);
        http.start();
        return s;
    }

    /**
     * The token rule: an endpoint bound to anything but a loopback address (a wildcard included) must have a
     * token for its actions.
     *
     * @throws IllegalArgumentException naming the address otherwise
     */
    public static void requireTokenOffLoopback(InetSocketAddress address, String token) {
        if (!isLoopback(address.getAddress()) && (token == null || token.isBlank())) {
            throw new IllegalArgumentException("the admin endpoint on " + address.getHostString() + ':'
                    + address.getPort() + " is not on a loopback address: a token for its actions is required");
        }
    }

    /** Starts answering {@code /ready}, {@code /status}, {@code /destinations} and the actions from the node. */
    public void attach(NodeView view, NodeActions actions) {
        this.actions = Objects.requireNonNull(actions, "actions");
        this.view = Objects.requireNonNull(view, "view");
    }

    /** Where it listens, e.g. {@code http://127.0.0.1:8080/}. */
    public String url() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.indexOf(':') >= 0 ? '[' + host + ']' : host) + ':' + a.getPort() + '/';
    }

    /** The bound address (its port if 0 was asked for). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** Stops serving (requests being answered get a second to finish) and ends the handler threads. */
    @Override
    public void close() {
        http.stop(1);
        executor.shutdownNow();
    }

    private static boolean isLoopback(InetAddress a) {
        return a != null && a.isLoopbackAddress();
    }

    /** The JDK server's limits are JVM-wide system properties read once: set those not set yet. */
    private static void boundServerLimits() {
        setIfAbsent("sun.net.httpserver.maxReqTime", "10"); // seconds to receive a request's headers and body
        setIfAbsent("sun.net.httpserver.maxRspTime", "30"); // seconds to send a response
        setIfAbsent("sun.net.httpserver.maxReqHeaders", "64");
        setIfAbsent("sun.net.httpserver.maxReqHeaderSize", "16384");
        setIfAbsent("jdk.httpserver.maxConnections", "64");
        setIfAbsent("sun.net.httpserver.idleInterval", "30");
        setIfAbsent("sun.net.httpserver.nodelay", "true"); // else Nagle holds each body back for the peer's ACK
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    // ------------------------------------------------------------------------------------------ requests

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String target = x.getRequestURI().getRawPath();
            String query = x.getRequestURI().getRawQuery();
            if (target.length() + (query == null ? 0 : query.length()) > MAX_TARGET_CHARS) {
                send(x, 414, "text/plain", "request target too long\n");
                return;
            }
            if (!readBody(x)) {
                send(x, 413, "text/plain", "request body over " + MAX_BODY_BYTES + " bytes\n");
                return;
            }
            if (loopback && !hostIsLoopback(x.getRequestHeaders().getFirst("Host"))) {
                send(x, 421, "text/plain", "this endpoint answers only requests addressed to a loopback host\n");
                return;
            }
            String method = x.getRequestMethod();
            if (method.equals("GET") || method.equals("HEAD")) {
                get(x, target);
            } else if (method.equals("POST")) {
                post(x, target, query);
            } else {
                x.getResponseHeaders().set("Allow", "GET, HEAD, POST");
                send(x, 405, "text/plain", "method not allowed\n");
            }
        } catch (RuntimeException e) {
            LOG.warn("admin endpoint: {} {} failed", x.getRequestMethod(), x.getRequestURI(), e);
            try {
                send(x, 500, "application/json", StatusJson.error("internal error: " + e));
            } catch (IOException | RuntimeException ignored) {
                // the response was under way: the client sees a broken answer
            }
        }
    }

    private void get(HttpExchange x, String target) throws IOException {
        NodeView v = view;
        switch (target) {
            case "/" -> {
                x.getResponseHeaders()
                        .set(
                                "Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                                        + "connect-src 'self'; img-src data:; frame-ancestors 'none'");
                send(x, 200, "text/html", page);
            }
            case "/live" -> send(x, 200, "text/plain", "live\n");
            case "/ready" -> {
                Readiness r = v == null ? Readiness.STARTING : v.readiness();
                send(
                        x,
                        r.ready() ? 200 : 503,
                        "text/plain",
                        (r.ready() ? "ready: " : "not ready: ") + r.reason() + "\n");
            }
            case "/metrics" -> send(x, 200, "text/plain; version=0.0.4", metrics.scrape());
            case "/status" -> {
                if (v == null) {
                    send(x, 503, "application/json", StatusJson.error(Readiness.STARTING.reason()));
                } else {
                    send(x, 200, "application/json", StatusJson.status(v.status()));
                }
            }
            case "/destinations" -> {
                if (v == null) {
                    send(x, 503, "application/json", StatusJson.error(Readiness.STARTING.reason()));
                } else {
                    send(x, 200, "application/json", StatusJson.destinations(v.status()));
                }
            }
            default -> send(x, 404, "text/plain", "not found\n");
        }
    }

    private void post(HttpExchange x, String target, String query) throws IOException {
        AdminAction action = AdminAction.parse(target, query);
        if (action == null) {
            send(x, 404, "application/json", StatusJson.error("no such action: POST " + target));
            return;
        }
        if (!sameOrigin(x)) {
            send(x, 403, "application/json", StatusJson.error("an action from a page of another origin is refused"));
            return;
        }
        if (token != null && !token.admits(x.getRequestHeaders().getFirst("Authorization"))) {
            x.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"sip-ha admin\"");
            LOG.warn("admin endpoint: {} from {} refused: no valid bearer token", target, x.getRemoteAddress());
            send(x, 401, "application/json", StatusJson.error("a valid bearer token is required"));
            return;
        }
        NodeActions a = actions;
        if (a == null) {
            send(x, 503, "application/json", StatusJson.error(Readiness.STARTING.reason()));
            return;
        }
        ActionResult r;
        synchronized (actionLock) { // one action at a time; only endpoint threads wait here
            r = action.run(a);
        }
        LOG.info(
                "admin endpoint: {}{} from {}: {} {}",
                target,
                query == null ? "" : "?" + query,
                x.getRemoteAddress(),
                r.httpStatus(),
                r.message());
        send(x, r.httpStatus(), "application/json", StatusJson.result(action.name(), action.dryRun(), r));
    }

    /** Reads and discards the request body; false if it is longer than {@link #MAX_BODY_BYTES}. */
    private static boolean readBody(HttpExchange x) throws IOException {
        byte[] buf = new byte[1024];
        int total = 0;
        try (InputStream in = x.getRequestBody()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > MAX_BODY_BYTES) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether a {@code Host} header names loopback: 127.x, [::1] or localhost; absent (HTTP/1.0) passes. */
    static boolean hostIsLoopback(String host) {
        if (host == null) {
            return true;
        }
        String h = host.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            h = end < 0 ? h : h.substring(1, end);
        } else if (h.indexOf(':') >= 0) {
            h = h.substring(0, h.indexOf(':'));
        }
        return h.equalsIgnoreCase("localhost") || h.equals("::1") || h.matches("127(\\.\\d{1,3}){3}");
    }

    /** No {@code Origin} (curl, scripts), or the origin of the request's own host (this endpoint's page). */
    private static boolean sameOrigin(HttpExchange x) {
        String origin = x.getRequestHeaders().getFirst("Origin");
        String host = x.getRequestHeaders().getFirst("Host");
        return origin == null || (host != null && origin.equalsIgnoreCase("http://" + host));
    }

    private static void send(HttpExchange x, int status, String contentType, String body) throws IOException {
        send(x, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange x, int status, String contentType, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", contentType + "; charset=utf-8");
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
