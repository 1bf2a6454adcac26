package org.mvfaedge.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.mvfaedge.sdk.runtime.RawOutputs;
import org.mvfaedge.sdk.runtime.RawScorer;
import org.mvfaedge.trainer.heads.FewShotHead;
import org.mvfaedge.trainer.heads.FewShotOutput;
import org.mvfaedge.trainer.heads.MemoryBank;
import org.mvfaedge.trainer.heads.ZeroShotHead;
import org.mvfaedge.trainer.heads.ZeroShotOutput;
import org.mvfaedge.trainer.model.MvfaVisionOutput;
import org.mvfaedge.trainer.text.ObjectInfo;

/**
 * The model being trained as a {@link RawScorer} (the outputs of {@code eval.DjlRawScorer}), with each
 * image's frozen prefix taken from a {@link PrefixCache}: evaluation images are the same every epoch,
 * only the adapters change. Images are keyed by the SHA-256 of their pixels, so the scorer needs no
 * file names and a changed image is never served a stale prefix.
 */
final class CachedPrefixScorer implements RawScorer {
    private final AdapterTraining training;
    private final ObjectInfo object;
    private final MemoryBank bank;
    private final PrefixCache cache;
    private final ZeroShotHead zeroHead;
    private final FewShotHead fewHead;

    CachedPrefixScorer(AdapterTraining training, ObjectInfo object, MemoryBank bank, PrefixCache cache) {
        this.training = training;
        this.object = object;
        this.bank = bank;
        this.cache = cache;
        int size = training.model().settings().imageSize();
        this.zeroHead = new ZeroShotHead(size);
        this.fewHead = new FewShotHead(size);
    }

    @Override
    public int imageSize() {
        return training.model().settings().imageSize();
    }

    @Override
    public boolean fewShot() {
        return bank != null;
    }

    @Override
    public RawOutputs score(float[] images, int n) {
        int s = imageSize();
        int per = 3 * s * s;
        int len = training.prefixLength();
        float[] stacked = new float[n * len];
        for (int i = 0; i < n; i++) {
            float[] image = java.util.Arrays.copyOfRange(images, i * per, (i + 1) * per);
            float[] p = cache.capBytes() == 0 ? training.prefix(image)
                    : cache.get("eval:" + sha256(image), () -> training.prefix(image));
            System.arraycopy(p, 0, stacked, i * len, len);
        }
        try (NDManager sub = training.model().manager().newSubManager()) {
            MvfaVisionOutput out = training.forwardFromPrefix(sub, stacked, n);
            List<NDArray> seg = out.segTokens();
            List<NDArray> det = out.detTokens();
            float[] zeroMap;
            float[] zeroScore;
            try (ZeroShotOutput z = zeroHead.forward(seg, det, training.model().textFeatureArray(sub, object))) {
                zeroMap = z.pixelMap().toFloatArray();
                zeroScore = z.imageScore().toFloatArray();
            }
            float[] fewMap = null;
            float[] fewScore = null;
            if (bank != null) {
                try (FewShotOutput f = fewHead.forward(seg, det, bank)) {
                    fewMap = f.segMap().toFloatArray();
                    fewScore = f.detScore().toFloatArray();
                }
            }
            return new RawOutputs(n, s, zeroMap, zeroScore, fewMap, fewScore);
        }
    }

    static String sha256(float[] values) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            md.update(b.array());
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
