package org.mvfaedge.server;

import io.micronaut.runtime.Micronaut;

/** Entry point of the MVFA-Edge HTTP service. The endpoints arrive with the server issue. */
public final class Application {
    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.run(Application.class, args);
    }
}
