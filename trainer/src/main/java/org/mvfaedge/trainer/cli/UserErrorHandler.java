package org.mvfaedge.trainer.cli;

import org.mvfaedge.sdk.util.UserErrors;
import picocli.CommandLine;

/**
 * Turns an exception from a subcommand into one line on stderr and exit status 2; the stack trace is
 * printed only with {@code --verbose} (or {@code -Dmvfa.verbose=true}), never to a user by default.
 */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        return UserErrors.report("mvfa " + cmd.getCommandName(), ex, parsed.originalArgs(), cmd.getErr());
    }
}
