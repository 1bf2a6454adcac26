package org.mvfaedge.trainer.cli;

import java.util.Arrays;
import picocli.CommandLine;

/**
 * Turns an exception from a subcommand into one line on stderr and exit status 2; the stack trace is
 * printed only with {@code --verbose} (or {@code -Dmvfa.verbose=true}), never to a user by default.
 */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean verbose = Boolean.getBoolean("mvfa.verbose")
                || Arrays.asList(parsed.originalArgs().toArray(new String[0])).contains("--verbose");
        String message = ex instanceof java.nio.file.NoSuchFileException nf ? "no such file or folder: " + nf.getFile()
                : ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName();
        cmd.getErr().println("mvfa " + cmd.getCommandName() + ": " + message);
        if (verbose) {
            ex.printStackTrace(cmd.getErr());
        }
        return 2;
    }
}
