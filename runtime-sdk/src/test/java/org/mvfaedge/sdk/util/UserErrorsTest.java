package org.mvfaedge.sdk.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import org.junit.jupiter.api.Test;

class UserErrorsTest {
    private static String report(Throwable ex, List<String> args, int[] status) {
        StringWriter w = new StringWriter();
        status[0] = UserErrors.report("mvfa-edge predict", ex, args, new PrintWriter(w));
        return w.toString();
    }

    /** By default one line naming the command and the problem, exit status 2, no stack trace. */
    @Test
    void oneLineWithoutAStackTrace() {
        int[] status = new int[1];
        String out = report(new IllegalArgumentException("--max-batch must be at least 1"), List.of("predict"), status);
        assertEquals("mvfa-edge predict: --max-batch must be at least 1" + System.lineSeparator(), out);
        assertEquals(2, status[0]);
    }

    @Test
    void verboseAddsTheStackTrace() {
        int[] status = new int[1];
        String out = report(new IllegalStateException("boom"), List.of("predict", "--verbose"), status);
        assertTrue(out.startsWith("mvfa-edge predict: boom"), out);
        assertTrue(out.contains("java.lang.IllegalStateException: boom") && out.contains("\tat "), out);
    }

    /** File exceptions carry a bare path as their message: the user is told what it means. */
    @Test
    void fileExceptionsSayWhatTheyMean() {
        assertEquals("no such file or folder: /x/model", UserErrors.message(new NoSuchFileException("/x/model")));
        assertEquals("permission denied: /x/key", UserErrors.message(new AccessDeniedException("/x/key")));
        assertEquals("NullPointerException", UserErrors.message(new NullPointerException()));
    }
}
