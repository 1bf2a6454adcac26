package org.mvfaedge.server.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mvfaedge.server.Application;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code serve}: the HTTP server. Its options are the server's own ({@link org.mvfaedge.server.ServeArgs}:
 * {@code --model}, {@code --port}, {@code --host}, {@code --insecure-no-auth}, any
 * {@code --<property>=<value>}), passed on unparsed; {@code serve --help} prints them.
 */
@Command(name = "serve", description = "Serve model packages over HTTP (serve --help lists the options).")
public final class ServeCommand implements Callable<Integer> {
    private static volatile boolean serving;

    @Parameters(arity = "0..*", paramLabel = "OPTION", description = "The server's options (serve --help).")
    List<String> args = new ArrayList<>();

    /** Whether a server was started in this process (the launcher must then not exit). */
    static boolean serving() {
        return serving;
    }

    @Override
    public Integer call() throws InterruptedException {
        // Application.main exits with status 2 on a bad option, a configuration error or a model that fails
        // to load; it returns once the server is up and every model is loaded.
        Application.main(args.toArray(String[]::new));
        serving = !args.contains("--help") && !args.contains("-h");
        return 0;
    }
}
