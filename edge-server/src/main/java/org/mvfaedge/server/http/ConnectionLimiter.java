package org.mvfaedge.server.http;

import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.mvfaedge.server.ServerMetrics;
import org.mvfaedge.server.config.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the HTTP connections open at the same time ({@code mvfa.limits.max-connections}), so that many
 * slow or concurrent uploads cannot each buffer a body of up to the size limit before admission control
 * sees them.
 *
 * <p>Registered as a {@link NettyServerCustomizer}: Micronaut calls it for every accepted connection
 * ({@link NettyServerCustomizer.ChannelRole#CONNECTION}). Under the cap the connection is counted and
 * the count goes down when its channel closes. Over the cap it is not counted; once its HTTP/1.1
 * pipeline is built, a handler placed right after the HTTP codec answers the first request head with
 * 503, {@code Retry-After} and a problem+json body ({@code urn:mvfa-edge:problem:too-many-connections}),
 * discards everything else the client sends (nothing reaches Micronaut, no body is buffered), half-closes
 * so the answer is not lost to a reset, and closes. A refused connection with no HTTP/1.1 codec (HTTP/2
 * negotiated over TLS) is closed at once. Refusals are logged at WARN, aggregated to at most one line
 * per {@value #LOG_INTERVAL_SECONDS} s, without anything from the client.
 */
@Singleton
public class ConnectionLimiter implements NettyServerCustomizer {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimiter.class);
    static final long LOG_INTERVAL_SECONDS = 10;
    /** A refused connection that sends no request head within this is closed. */
    private static final long REFUSED_IDLE_SECONDS = 10;
    /** After the answer, how long to discard what the client still sends before closing (lingering close). */
    private static final long LINGER_SECONDS = 2;
    private static final String HANDLER = "mvfa-connection-limit";

    private final int max;
    private final int retryAfter;
    private final Problems problems;
    private final ServerMetrics metrics;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger refusedSinceLog = new AtomicInteger();
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS));

    public ConnectionLimiter(ServerSettings settings, Problems problems, ServerMetrics metrics) {
        this.max = settings.getLimits().getMaxConnections();
        if (max < 1) {
            throw new ConfigurationException("mvfa.limits.max-connections must be at least 1 (got " + max + ")");
        }
        this.retryAfter = Math.max(1, settings.getLimits().getRetryAfterSeconds());
        this.problems = problems;
        this.metrics = metrics;
        metrics.gauge("mvfa.connections.active", "HTTP connections open", active::get);
        LOG.info("limits: at most {} HTTP connection(s) open at once", max);
    }

    /** Connections open and counted against the limit. */
    public int active() {
        return active.get();
    }

    public int max() {
        return max;
    }

    @Override
    public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
        if (role != ChannelRole.CONNECTION) {
            return this;
        }
        if (tryAcquire()) {
            channel.closeFuture().addListener(f -> active.decrementAndGet());
            return this;
        }
        refused();
        return new Refusing(channel);
    }

    private boolean tryAcquire() {
        while (true) {
            int n = active.get();
            if (n >= max) {
                return false;
            }
            if (active.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    private void refused() {
        metrics.connectionRefused();
        refusedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS) && lastLog.compareAndSet(last, now)) {
            int n = refusedSinceLog.getAndSet(0);
            LOG.warn("refused {} HTTP connection(s) with 503 since the last such line: {} of {} connections open"
                    + " (mvfa.limits.max-connections)", n, active.get(), max);
        }
    }

    /** The customizer of one refused connection. */
    private final class Refusing implements NettyServerCustomizer {
        private final Channel channel;

        Refusing(Channel channel) {
            this.channel = channel;
        }

        @Override
        public void onInitialPipelineBuilt() {
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) != null) {
                pipeline.addAfter(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, HANDLER, new Refuse());
            } else {
                channel.close();
            }
        }
    }

    /** Answers the first request head with 503 and drops everything the client sends. */
    private final class Refuse extends ChannelInboundHandlerAdapter {
        private boolean answered;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.executor().schedule(() -> {
                if (!answered) {
                    ctx.channel().close();
                }
            }, REFUSED_IDLE_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!answered && msg instanceof HttpRequest request) {
                    answered = true;
                    answer(ctx, request);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.channel().close();
        }

        private void answer(ChannelHandlerContext ctx, HttpRequest request) {
            String uri = request.uri();
            int q = uri.indexOf('?');
            String path = q < 0 ? uri : uri.substring(0, q);
            String rid = RequestIds.fromHeader(request.headers().get(RequestIds.HEADER));
            byte[] body = problems.body(path, rid, 503, "too-many-connections", "Too many connections",
                    "The server already has " + max + " HTTP connections open (mvfa.limits.max-connections);"
                            + " this connection is closed. Retry after " + retryAfter + " s, or reuse fewer connections.");
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
