package org.mvfaedge.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs the reference validator, {@code onnx.checker.check_model(path, full_check=True)} (Debian's
 * python3-onnx), on a model file. Skips where python3 or the onnx package is missing, except under
 * CI=true, where a missing checker is a failure.
 */
final class OnnxChecker {
    /**
     * The python3 on the PATH first; then the system one, which is where Debian's python3-onnx lives
     * when the PATH leads to another installation (pyenv, a virtual environment).
     */
    private static final String[] PYTHONS = {"python3", "/usr/bin/python3"};

    private OnnxChecker() {
    }

    static void check(Path model) throws IOException, InterruptedException {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        String python = null;
        for (String candidate : PYTHONS) {
            if (run(candidate, "import onnx.checker").exit == 0) {
                python = candidate;
                break;
            }
        }
        if (python == null) {
            if (ci) {
                throw new AssertionError("CI=true but python3 with the onnx package is missing: "
                        + "apt-get install -y python3-onnx");
            }
            assumeTrue(false, "python3 -c 'import onnx' failed: install python3-onnx to run the ONNX checker");
        }
        Result r = run(python, "import onnx, sys; onnx.checker.check_model(sys.argv[1], full_check=True); print('onnx checker ok')",
                model.toString());
        System.out.println("onnx.checker(full_check) on " + model.getFileName() + ": " + r.output.strip());
        assertEquals(0, r.exit, "onnx.checker rejected " + model + ":\n" + r.output);
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String python, String code, String... args) throws IOException, InterruptedException {
        // -I: isolated mode, so a folder named "onnx" in the working directory (the repository has
        // one for model packages) cannot shadow the installed package.
        String[] cmd = new String[4 + args.length];
        cmd[0] = python;
        cmd[1] = "-I";
        cmd[2] = "-c";
        cmd[3] = code;
        System.arraycopy(args, 0, cmd, 4, args.length);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(127, "python3 not found: " + e.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(124, "timed out\n" + out);
        }
        return new Result(p.exitValue(), out);
    }
}
