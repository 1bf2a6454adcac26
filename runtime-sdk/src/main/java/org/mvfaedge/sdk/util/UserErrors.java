package org.mvfaedge.sdk.util;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import org.mvfaedge.sdk.OnnxRuntimeBuild;

/**
 * How both command lines ({@code mvfa} and {@code mvfa-edge}) tell a user about an error and start up, written
 * once. It carries no command-line library (the SDK has none): each CLI's picocli handler calls it.
 */
public final class UserErrors {
    /** Exit status of an error the user can fix. */
    public static final int STATUS = 2;

    private UserErrors() {
    }

    /** The message of {@code ex} for a person: file exceptions, whose message is a bare path, say what it means. */
    public static String message(Throwable ex) {
        if (ex instanceof NoSuchFileException e) {
            return "no such file or folder: " + e.getFile();
        }
        if (ex instanceof AccessDeniedException e) {
            return "permission denied: " + e.getFile();
        }
        return ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName();
    }

    /**
     * Prints {@code "<command>: <message>"} on {@code err}, and the stack trace only with {@code --verbose} among
     * {@code args} (or {@code -Dmvfa.verbose=true}): never a stack trace to a user by default. Returns {@link #STATUS}.
     */
    public static int report(String command, Throwable ex, List<String> args, PrintWriter err) {
        err.println(command + ": " + message(ex));
        if (Boolean.getBoolean("mvfa.verbose") || args.contains("--verbose")) {
            ex.printStackTrace(err);
        }
        err.flush();
        return STATUS;
    }

    /**
     * Stops the program (status {@link #STATUS}) when two ONNX Runtime jars, CPU and GPU, are on the class path:
     * whichever loaded first would run, silently.
     */
    public static void exitOnTwoOnnxRuntimes(String program, ClassLoader loader) {
        String twice = OnnxRuntimeBuild.duplicateJarsProblem(loader);
        if (twice != null) {
            System.err.println(program + ": " + twice);
            System.exit(STATUS);
        }
    }
}
