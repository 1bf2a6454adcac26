package org.mvfaedge.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * What this build is, written by Maven into {@code mvfa-edge-build.properties}: the version, the
 * flavour ({@code cpu}: ONNX Runtime's {@code onnxruntime} artifact; {@code gpu}: {@code onnxruntime_gpu})
 * and the ONNX Runtime artifact and version it was built against. {@code doctor} compares it with the
 * ONNX Runtime actually loaded.
 */
public final class BuildInfo {
    private static final Properties PROPS = load();

    private BuildInfo() {
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/mvfa-edge-build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    public static String version() {
        return PROPS.getProperty("version", "unknown");
    }

    /** {@code cpu} or {@code gpu}. */
    public static String flavour() {
        return PROPS.getProperty("flavour", "unknown");
    }

    public static String onnxRuntimeArtifact() {
        return PROPS.getProperty("onnxruntime.artifact", "unknown");
    }

    public static String onnxRuntimeVersion() {
        return PROPS.getProperty("onnxruntime.version", "unknown");
    }

    /** e.g. {@code mvfa-edge 0.1.0, cpu build (onnxruntime 1.23.2)}. */
    public static String line() {
        return "mvfa-edge " + version() + ", " + flavour() + " build (" + onnxRuntimeArtifact() + " "
                + onnxRuntimeVersion() + ")";
    }

    /** picocli's {@code --version}. */
    public static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {line()};
        }
    }
}
