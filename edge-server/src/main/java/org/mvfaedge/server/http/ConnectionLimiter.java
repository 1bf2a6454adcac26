package org.mvfaedge.server.http;

import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.mvfaedge.server.ServerMetrics;
import org.mvfaedge.server.config.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may hold the server's HTTP connections, decided per connection before Micronaut sees a request,
 * so that clients without a key cannot keep those with one out (a slow-header attack held the whole cap
 * for as long as it liked).
 *
 * <ul>
 * <li><b>Caps.</b> At most {@code mvfa.limits.max-connections} connections open, and at most
 * {@code max-connections-per-address} from one client address.
 * <li><b>A deadline for the request head.</b> A new connection must deliver a complete request head
 * within {@code request-head-timeout} (a few seconds), or it is closed; a connection that has not yet
 * done so is "pending".
 * <li><b>Pending connections give way.</b> When the cap is reached, a new connection takes the place of
 * the oldest pending connection of the address that holds the most pending ones, so a legitimate
 * client, which sends its head at once, is not kept out by connections that trickle theirs.
 * <li><b>Keyless connections do not linger.</b> After answering a request, a connection that has never
 * presented a valid key ({@link #markAuthenticated}) is closed ({@code Connection: close}); only keyed
 * connections stay open for keep-alive.
 * <li><b>A reserve for probes.</b> When the cap is reached and nothing can give way,
 * {@code health-reserve} more connections are accepted for the health endpoints only, so a load
 * balancer still learns that the server is alive and ready.
 * </ul>
 * Everything else is refused: the first request head is answered with 503, {@code Retry-After} and a
 * problem+json body ({@code urn:mvfa-edge:problem:too-many-connections}), what the client still sends is
 * discarded (nothing reaches Micronaut, no body is buffered), and the connection closes. Refusals are
 * logged at WARN, aggregated to at most one line per {@value #LOG_INTERVAL_SECONDS} s, with nothing
 * from the client (not even its address).
 *
 * <p>Registered as a {@link NettyServerCustomizer}: Micronaut calls it for every accepted connection
 * ({@link NettyServerCustomizer.ChannelRole#CONNECTION}); a handler right after the HTTP codec sees the
 * request heads and the responses.
 */
@Singleton
public class ConnectionLimiter implements NettyServerCustomizer {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimiter.class);
    static final long LOG_INTERVAL_SECONDS = 10;
    /** After a refusal, how long to discard what the client still sends before closing (lingering close). */
    private static final long LINGER_SECONDS = 2;
    private static final String HANDLER = "mvfa-connection-guard";
    private static final AttributeKey<Conn> CONN = AttributeKey.valueOf("mvfa.connection");
    /** The only paths a reserve connection may ask for (exact text: no normalisation to trick). */
    private static final Set<String> HEALTH = Set.of("/health", "/health/liveness", "/health/readiness");

    /** How a connection was admitted. */
    private enum Mode { COUNTED, RESERVE, REFUSED }

    /** One accepted TCP connection. */
    private final class Conn {
        final Channel channel;
        final InetAddress address;
        final Mode mode;
        /** A complete request head has arrived (guarded by the limiter's lock for the pending queues). */
        boolean headSeen;
        /** Released from the counts (closed or evicted); guarded by the limiter's lock. */
        boolean released;
        volatile boolean authenticated;
        ScheduledFuture<?> headDeadline;

        Conn(Channel channel, InetAddress address, Mode mode) {
            this.channel = channel;
            this.address = address;
            this.mode = mode;
        }
    }

    private final int max;
    private final int perAddress;
    private final int reserve;
    private final long headTimeoutMillis;
    private final int retryAfter;
    private final Problems problems;
    private final ServerMetrics metrics;

    private final Object lock = new Object();
    private int counted;
    private int reserved;
    private final Map<InetAddress, Integer> byAddress = new HashMap<>();
    /** Pending counted connections per address, oldest first. */
    private final Map<InetAddress, ArrayDeque<Conn>> pending = new HashMap<>();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger refusedSinceLog = new AtomicInteger();
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS));

    public ConnectionLimiter(ServerSettings settings, Problems problems, ServerMetrics metrics) {
        ServerSettings.Limits limits = settings.getLimits();
        this.max = limits.getMaxConnections();
        if (max < 1) {
            throw new ConfigurationException("mvfa.limits.max-connections must be at least 1 (got " + max + ")");
        }
        this.perAddress = limits.getMaxConnectionsPerAddress();
        if (perAddress < 1) {
            throw new ConfigurationException("mvfa.limits.max-connections-per-address must be at least 1 (got "
                    + perAddress + ")");
        }
        this.reserve = Math.max(0, limits.getHealthReserve());
        this.headTimeoutMillis = limits.getRequestHeadTimeout().toMillis();
        if (headTimeoutMillis < 1) {
            throw new ConfigurationException("mvfa.limits.request-head-timeout must be positive (got "
                    + limits.getRequestHeadTimeout() + ")");
        }
        this.retryAfter = Math.max(1, limits.getRetryAfterSeconds());
        this.problems = problems;
        this.metrics = metrics;
        metrics.gauge("mvfa.connections.active", "HTTP connections open (counted against the cap)", active::get);
        LOG.info("limits: at most {} HTTP connection(s) open at once, {} per client address, request head within {} ms,"
                + " {} more for health probes", max, perAddress, headTimeoutMillis, reserve);
    }

    /** Connections open and counted against the limit. */
    public int active() {
        return active.get();
    }

    public int max() {
        return max;
    }

    /**
     * Records that the connection of {@code request} presented a valid key: it may stay open for keep-alive.
     * Called by the key filter.
     */
    public static void markAuthenticated(io.micronaut.http.HttpRequest<?> request) {
        if (request instanceof NettyHttpRequest<?> n) {
            Conn c = n.getChannelHandlerContext().channel().attr(CONN).get();
            if (c != null) {
                c.authenticated = true;
            }
        }
    }

    @Override
    public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
        if (role != ChannelRole.CONNECTION) {
            return this;
        }
        InetAddress address = addressOf(channel.remoteAddress());
        Conn evicted = null;
        Mode mode;
        String refusal = null;
        synchronized (lock) {
            int fromAddress = byAddress.getOrDefault(address, 0);
            if (fromAddress >= perAddress) {
                mode = Mode.REFUSED;
                refusal = "per-address";
            } else if (counted < max) {
                mode = Mode.COUNTED;
            } else if ((evicted = evictablePending()) != null) {
                release(evicted);
                mode = Mode.COUNTED;
            } else if (reserved < reserve) {
                mode = Mode.RESERVE;
            } else {
                mode = Mode.REFUSED;
                refusal = "full";
            }
            Conn conn = new Conn(channel, address, mode);
            channel.attr(CONN).set(conn);
            if (mode == Mode.COUNTED) {
                counted++;
                byAddress.merge(address, 1, Integer::sum);
                pending.computeIfAbsent(address, a -> new ArrayDeque<>()).addLast(conn);
                active.set(counted);
            } else if (mode == Mode.RESERVE) {
                reserved++;
            }
        }
        Conn conn = channel.attr(CONN).get();
        if (evicted != null) {
            metrics.connectionClosed("evicted-pending");
            evicted.channel.close();
        }
        if (refusal != null) {
            refused(refusal);
        }
        channel.closeFuture().addListener(f -> {
            synchronized (lock) {
                release(conn);
            }
        });
        conn.headDeadline = channel.eventLoop().schedule(() -> {
            boolean late;
            synchronized (lock) {
                late = !conn.headSeen;
            }
            if (late && channel.isOpen()) {
                metrics.connectionClosed("head-timeout");
                channel.close();
            }
        }, headTimeoutMillis, TimeUnit.MILLISECONDS);
        return new PerConnection(conn);
    }

    private static InetAddress addressOf(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i.getAddress() : InetAddress.getLoopbackAddress();
    }

    /** The oldest pending connection of the address holding the most pending ones; null if none. Under the lock. */
    private Conn evictablePending() {
        ArrayDeque<Conn> worst = null;
        for (ArrayDeque<Conn> q : pending.values()) {
            if (!q.isEmpty() && (worst == null || q.size() > worst.size())) {
                worst = q;
            }
        }
        return worst == null ? null : worst.peekFirst();
    }

    /** Takes a connection out of the counts, once. Under the lock. */
    private void release(Conn c) {
        if (c.released) {
            return;
        }
        c.released = true;
        if (c.mode == Mode.COUNTED) {
            counted--;
            byAddress.computeIfPresent(c.address, (a, n) -> n <= 1 ? null : n - 1);
            unpend(c);
            active.set(counted);
        } else if (c.mode == Mode.RESERVE) {
            reserved--;
        }
    }

    /** Under the lock. */
    private void unpend(Conn c) {
        ArrayDeque<Conn> q = pending.get(c.address);
        if (q != null) {
            q.remove(c);
            if (q.isEmpty()) {
                pending.remove(c.address);
            }
        }
    }

    private void refused(String why) {
        metrics.connectionRefused(why);
        refusedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS) && lastLog.compareAndSet(last, now)) {
            int n = refusedSinceLog.getAndSet(0);
            LOG.warn("refused {} HTTP connection(s) with 503 since the last such line: {} of {} connections open"
                    + " (mvfa.limits.max-connections), at most {} per client address", n, active.get(), max, perAddress);
        }
    }

    /** The customizer of one connection: puts the guard after the HTTP/1.1 codec once there is one. */
    private final class PerConnection implements NettyServerCustomizer {
        private final Conn conn;

        PerConnection(Conn conn) {
            this.conn = conn;
        }

        @Override
        public void onInitialPipelineBuilt() {
            install();
        }

        @Override
        public void onStreamPipelineBuilt() {
            install();
        }

        private void install() {
            ChannelPipeline pipeline = conn.channel.pipeline();
            if (pipeline.get(HANDLER) != null) {
                return;
            }
            if (pipeline.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) != null) {
                pipeline.addAfter(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, HANDLER, new Guard(conn));
            } else if (conn.mode == Mode.REFUSED) {
                conn.channel.close();
            }
            // Otherwise (TLS before its handshake, HTTP/2): the head deadline and the counts still apply.
        }
    }

    /** Sees each request head and response of one connection. */
    private final class Guard extends ChannelDuplexHandler {
        private final Conn conn;
        /** This connection was answered with 503 here: drop everything else it sends. */
        private boolean refusedHere;

        Guard(Conn conn) {
            this.conn = conn;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (refusedHere) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest request) {
                synchronized (lock) {
                    if (!conn.headSeen) {
                        conn.headSeen = true;
                        unpend(conn);
                    }
                }
                if (conn.headDeadline != null) {
                    conn.headDeadline.cancel(false);
                }
                if (conn.mode == Mode.REFUSED || (conn.mode == Mode.RESERVE && !HEALTH.contains(pathOf(request.uri())))) {
                    if (conn.mode == Mode.RESERVE) {
                        refused("reserve-non-health");
                    }
                    refusedHere = true;
                    ReferenceCountUtil.release(msg);
                    refuse(ctx, request);
                    return;
                }
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            boolean informational = msg instanceof HttpResponse r
                    && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            boolean keyless = !conn.authenticated && !refusedHere && !informational;
            if (keyless && msg instanceof HttpResponse response) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            if (keyless && msg instanceof LastHttpContent) {
                // Micronaut writes keep-alive responses with a void promise, which takes no listener
                ChannelPromise written = promise.isVoid() ? ctx.newPromise() : promise;
                ctx.write(msg, written).addListener((ChannelFutureListener) f -> {
                    metrics.connectionClosed("no-key");
                    f.channel().close();
                });
                return;
            }
            ctx.write(msg, promise);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (refusedHere) {
                ctx.channel().close();
            } else {
                ctx.fireExceptionCaught(cause);
            }
        }

        private void refuse(ChannelHandlerContext ctx, HttpRequest request) {
            String rid = RequestIds.fromHeader(request.headers().get(RequestIds.HEADER));
            byte[] body = problems.body(pathOf(request.uri()), rid, 503, "too-many-connections", "Too many connections",
                    "The server already has " + max + " HTTP connections open (mvfa.limits.max-connections), or "
                            + perAddress + " from this address; this connection is closed. Retry after " + retryAfter
                            + " s, or reuse fewer connections.");
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.RETRY_AFTER, retryAfter)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .set(RequestIds.HEADER, rid);
            Channel ch = ctx.channel();
            ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess() && ch instanceof SocketChannel socket && ch.pipeline().get(SslHandler.class) == null) {
                    // Half-close: the client reads the answer and sees the end; what it still sends is dropped
                    // here until it closes, so its late bytes do not turn into a reset that loses the answer.
                    socket.shutdownOutput();
                    ch.eventLoop().schedule(() -> {
                        ch.close();
                    }, LINGER_SECONDS, TimeUnit.SECONDS);
                } else {
                    ch.close();
                }
            });
        }
    }

    /** The path of a request target, without the query; what the client wrote (only compared, never logged). */
    private static String pathOf(String uri) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        return path.length() > 200 ? path.substring(0, 200) : path;
    }

    /** Puts the limiter into the Netty server's customizers before the server starts. */
    @Singleton
    static class Registration implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
        private final ConnectionLimiter limiter;

        Registration(ConnectionLimiter limiter) {
            this.limiter = limiter;
        }

        @Override
        public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
            event.getBean().register(limiter);
            return event.getBean();
        }
    }
}
