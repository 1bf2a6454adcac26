package org.mvfaedge.server.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
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
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + message(ex));
        if (verbose) {
            ex.printStackTrace(cmd.getErr());
        }
        return 2;
    }

    /** The message, with the file exceptions whose message is a bare path given their meaning. */
    static String message(Throwable ex) {
        if (ex instanceof NoSuchFileException e) {
            return "no such file or folder: " + e.getFile();
        }
        if (ex instanceof AccessDeniedException e) {
            return "permission denied: " + e.getFile();
        }
        return ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName();
    }
}
