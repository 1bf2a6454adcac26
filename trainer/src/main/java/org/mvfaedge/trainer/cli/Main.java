package org.mvfaedge.trainer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The trainer's side of {@code ./mvfa}: training, evaluation, export, init-clip, the demo and the DJL
 * benchmarks. The edge commands ({@code predict}, {@code enroll}, {@code serve}, {@code bench-detect
 * --model}) live in the edge-server module's {@code mvfa-edge}; the launcher hands them over. Errors a
 * user can fix are printed as one line and exit with status 2; {@code --verbose} adds the stack trace.
 */
@Command(name = "mvfa", mixinStandardHelpOptions = true, version = "MVFA-Edge 0.1.0",
        description = "MVFA anomaly detection for medical images: CLIP + residual adapters.",
        footerHeading = "Edge commands (./mvfa hands them to mvfa-edge, no DJL):%n",
        footer = {
            "  predict        Detect anomalies in images with a model package.",
            "  enroll         Add normal images to a few-shot package's memory bank.",
            "  serve          Serve model packages over HTTP.",
            "  bench-detect --model DIR",
            "                 Time the SDK on an existing model package.",
            "./mvfa <command> --help lists a command's options."},
        subcommands = {org.mvfaedge.trainer.demo.DemoCommand.class, InitClipCommand.class,
            org.mvfaedge.trainer.train.cli.TrainFewCommand.class, org.mvfaedge.trainer.train.cli.TrainZeroCommand.class,
            TestCommand.Few.class, TestCommand.Zero.class, org.mvfaedge.trainer.ablation.AblateCommand.class,
            org.mvfaedge.trainer.ablation.PlotRunsCommand.class, ExportCommand.class,
            EvaluateCommand.class, BenchCommand.class, BenchTrainCommand.class,
            org.mvfaedge.trainer.cli.sdk.BenchDetectCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Inherited by every subcommand: print stack traces of errors. */
    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the stack trace of an error as well as its one-line message.")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command tree; tests call it to run subcommands in-process. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new UserErrorHandler());
        return cl;
    }

    public static void main(String[] args) {
        org.mvfaedge.sdk.util.UserErrors.exitOnTwoOnnxRuntimes("mvfa", Main.class.getClassLoader());
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        System.exit(commandLine().execute(args));
    }
}
