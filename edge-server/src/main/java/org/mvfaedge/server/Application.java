package org.mvfaedge.server;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.runtime.Micronaut;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeIn;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import java.time.Duration;
import org.mvfaedge.sdk.MvfaException;
import org.mvfaedge.server.model.ModelRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of {@code ./mvfa serve}: translates the command line to configuration, starts the HTTP
 * server, then waits for the models to load; a configuration error or a model that fails to load at
 * start ends the process with its reason (exit 2), never a stack trace.
 */
@OpenAPIDefinition(info = @Info(title = "mvfa-edge", version = "0.1",
        description = "Medical image anomaly detection (MVFA) on scanner-side hardware. Errors are application/problem+json."),
        security = @SecurityRequirement(name = "apiKey"))
@SecurityScheme(name = "apiKey", type = SecuritySchemeType.APIKEY, in = SecuritySchemeIn.HEADER, paramName = "X-API-Key")
public final class Application {
    private static final Logger LOG = LoggerFactory.getLogger(Application.class);

    private Application() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServeArgs serve;
        try {
            serve = ServeArgs.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("mvfa serve: " + e.getMessage());
            System.err.println(ServeArgs.USAGE);
            System.exit(2);
            return;
        }
        if (serve.help()) {
            System.out.println(ServeArgs.USAGE);
            return;
        }
        ApplicationContext ctx = new Launcher().args(serve.passThrough().toArray(String[]::new))
                .properties(serve.properties()).mainClass(Application.class).banner(false).start();
        ModelRegistry registry = ctx.getBean(ModelRegistry.class);
        if (!registry.awaitInitialLoad(Duration.ofHours(2))) {
            for (ModelRegistry.Slot s : registry.slots()) {
                if (s.state() == ModelRegistry.State.FAILED) {
                    System.err.println("mvfa serve: model " + s.id() + " (" + s.path() + ") failed to load: " + s.error());
                }
            }
            ctx.close();
            System.exit(2);
        }
    }

    /** The reason a start failed, as one line a person can act on. */
    static String reason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConfigurationException || c instanceof MvfaException) {
                return c.getMessage();
            }
        }
        return t.toString();
    }

    /** Micronaut whose failed start prints the reason, not a stack trace. */
    private static final class Launcher extends Micronaut {
        @Override
        protected void handleStartupException(Environment environment, Throwable exception) {
            LOG.debug("start failed", exception);
            System.err.println("mvfa serve: cannot start: " + reason(exception));
            System.exit(2);
        }
    }
}
