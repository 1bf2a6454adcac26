package org.mvfaedge.server.http;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns once at start when the server listens beyond this machine in plain HTTP: API keys and images
 * would cross the hospital network in clear text. The default listen address is loopback
 * ({@code micronaut.server.host: 127.0.0.1}); to serve the network, configure TLS (see the README).
 */
@Singleton
public class ListenAddressCheck implements ApplicationEventListener<ServerStartupEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(ListenAddressCheck.class);
    private final String host;
    private final boolean tls;

    public ListenAddressCheck(@Value("${micronaut.server.host:}") @Nullable String host,
            @Value("${micronaut.server.ssl.enabled:${micronaut.ssl.enabled:false}}") boolean tls) {
        this.host = host;
        this.tls = tls;
    }

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        if (tls || loopback(host)) {
            return;
        }
        LOG.warn("listening on {} in plain HTTP: API keys and images cross the network unencrypted. Configure TLS"
                + " (micronaut.server.ssl.*) to serve the network, or listen on 127.0.0.1 behind a TLS proxy.",
                host == null || host.isBlank() ? "every interface" : host);
    }

    static boolean loopback(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
