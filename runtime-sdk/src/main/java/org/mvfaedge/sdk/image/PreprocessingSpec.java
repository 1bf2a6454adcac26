package org.mvfaedge.sdk.image;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mvfaedge.sdk.ModelPackageException;
import org.mvfaedge.sdk.pkg.Manifest;

/**
 * How pixels become the graph's input, as a package's manifest states it ({@code preprocessing}): the
 * SDK builds its {@link Preprocessor} from this, and refuses a package that asks for a preprocessing it
 * does not implement, naming the field, rather than feeding the graph pixels prepared another way.
 *
 * <p>What this SDK implements is MVFA's own preparation ({@link #mvfa}): PIL-compatible bicubic resize to
 * S x S, {@code ToTensor}'s division by 255, no mean/std normalisation, RGB, channel-first. Every field is
 * checked, so a package written by a future exporter with another resize or a normalisation fails to open
 * instead of scoring wrongly.
 *
 * @param resize {@code pil-bicubic}
 * @param size the side S, equal to the model's {@code img_size}
 * @param divisor pixels are divided by this ({@code scale} = 1/divisor in the manifest): 255, as ToTensor's
 *     float32 division, which is bit-exact with the reference where a multiplication by 1/255 is not
 * @param normalize {@code none}
 * @param channels {@code RGB}
 * @param layout {@code NCHW}
 */
public record PreprocessingSpec(String resize, int size, int divisor, String normalize, String channels, String layout) {
    public static final String PIL_BICUBIC = "pil-bicubic";
    public static final String NO_NORMALIZATION = "none";
    public static final String RGB = "RGB";
    public static final String NCHW = "NCHW";
    /** ToTensor's divisor: 8-bit values to 0..1. */
    public static final int UNIT_DIVISOR = 255;
    /** How close the manifest's {@code scale} must be to 1/255 (it is a decimal rendering of a double). */
    private static final double SCALE_TOLERANCE = 1e-12;

    /** MVFA's preparation at side {@code size}: what the trainer trains with and the exporter writes. */
    public static PreprocessingSpec mvfa(int size) {
        return new PreprocessingSpec(PIL_BICUBIC, size, UNIT_DIVISOR, NO_NORMALIZATION, RGB, NCHW);
    }

    /** The manifest's section for this preparation. */
    public Manifest.Preprocessing toManifest() {
        return new Manifest.Preprocessing(resize, size, 1.0 / divisor, normalize, channels, layout);
    }

    /**
     * The preparation a package's manifest asks for, checked against what this SDK implements.
     *
     * @param pkg the package folder the message names
     * @throws ModelPackageException naming each {@code preprocessing.*} field this SDK does not implement
     */
    public static PreprocessingSpec of(Path pkg, Manifest m) {
        Manifest.Preprocessing p = m.preprocessing();
        if (p == null) {
            throw new ModelPackageException(pkg, "manifest.json lacks required field(s): preprocessing (re-export the package)");
        }
        List<String> problems = new ArrayList<>();
        expect(problems, "resize", p.resize(), PIL_BICUBIC);
        expect(problems, "normalize", p.normalize(), NO_NORMALIZATION);
        expect(problems, "channels", p.channels(), RGB);
        expect(problems, "layout", p.layout(), NCHW);
        int imgSize = m.model() != null ? m.model().imgSize() : p.size();
        if (p.size() != imgSize || p.size() <= 0) {
            problems.add("preprocessing.size is " + p.size() + ", but the model's img_size is " + imgSize
                    + " (the graph takes img_size x img_size input)");
        }
        if (!(Math.abs(p.scale() - 1.0 / UNIT_DIVISOR) <= SCALE_TOLERANCE)) {
            problems.add("preprocessing.scale is " + p.scale() + ", this SDK implements only 1/255 (0.00392156862745098)");
        }
        if (!problems.isEmpty()) {
            throw new ModelPackageException(pkg, "unsupported preprocessing: " + String.join("; ", problems)
                    + " (export the package with this version of MVFA-Edge, or update the SDK)");
        }
        return mvfa(p.size());
    }

    private static void expect(List<String> problems, String field, String value, String supported) {
        if (!supported.equals(value)) {
            problems.add("preprocessing." + field + " is " + (value == null ? "missing" : "'" + value + "'")
                    + ", this SDK implements only '" + supported + "'");
        }
    }

    /** A preprocessor for this preparation (one per thread: it keeps scratch buffers). */
    public Preprocessor preprocessor() {
        return new Preprocessor(this);
    }
}
