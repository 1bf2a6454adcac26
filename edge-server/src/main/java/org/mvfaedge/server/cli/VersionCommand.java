package org.mvfaedge.server.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code version}: this distribution's version and flavour, and the Java and platform it runs on. */
@Command(name = "version", description = "Print the version, the build flavour (cpu/gpu) and the platform.")
public final class VersionCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println(BuildInfo.line());
        out.printf("Java %s (%s), %s %s %s%n", System.getProperty("java.version"), System.getProperty("java.vendor"),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"));
        out.flush();
        return 0;
    }
}
