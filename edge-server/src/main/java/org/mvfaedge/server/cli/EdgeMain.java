package org.mvfaedge.server.cli;

import org.mvfaedge.sdk.OnnxRuntimeBuild;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code mvfa-edge}: the edge side's command line, what a scanner-side box runs (no DJL, no training
 * stack): {@code predict}, {@code enroll}, {@code serve}, {@code bench}, {@code doctor}, {@code version}, {@code keygen}, {@code sign}.
 * Errors a user can fix are one line on stderr and exit status 2; {@code --verbose} adds the stack trace.
 * The repository's {@code ./mvfa predict|enroll|serve|bench-detect --model} hand over to this class.
 */
@Command(name = "mvfa-edge", mixinStandardHelpOptions = true, versionProvider = BuildInfo.VersionProvider.class,
        description = "MVFA anomaly detection on a scanner-side box: score images, enrol normals, serve HTTP, check the box.",
        subcommands = {PredictCommand.class, EnrollCommand.class, ServeCommand.class, BenchCommand.class,
            DoctorCommand.class, VersionCommand.class, KeygenCommand.class, SignCommand.class, CommandLine.HelpCommand.class})
public final class EdgeMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Inherited by every subcommand: print stack traces of errors. */
    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the stack trace of an error as well as its one-line message.")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the command tree; tests call it to run subcommands in-process. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new EdgeMain());
        cl.setExecutionExceptionHandler(new UserErrorHandler());
        // serve takes the server's own options (and any --<property>=<value>) as they are
        cl.getSubcommands().get("serve").setUnmatchedOptionsArePositionalParams(true);
        return cl;
    }

    public static void main(String[] args) {
        // Two ONNX Runtime jars (CPU and GPU) on one class path: whichever loads first would run, silently.
        String twice = OnnxRuntimeBuild.duplicateJarsProblem(EdgeMain.class.getClassLoader());
        if (twice != null) {
            System.err.println("mvfa-edge: " + twice);
            System.exit(2);
        }
        int rc = commandLine().execute(args);
        if (rc != 0 || !ServeCommand.serving()) {
            System.exit(rc);
        }
        // serve: the HTTP server's threads keep the process alive until SIGTERM
    }
}
