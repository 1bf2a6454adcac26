package org.mvfaedge.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mvfaedge.trainer.weights.HostTensor;

/**
 * {@code torch.optim.Adam} (no weight decay, no AMSGrad) as the reference uses it, written with
 * NDArray ops rather than DJL's Adam, whose epsilon sits elsewhere. Per parameter with a gradient:
 * <pre>
 *   t += 1
 *   m = beta1 m + (1 - beta1) g
 *   v = beta2 v + (1 - beta2) g g
 *   p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * with the bias corrections in double precision, as PyTorch computes them in Python.
 *
 * <p>As in PyTorch, a parameter whose gradient is undefined ({@code grad is None}: it has never been
 * reached by a backward pass, like the last adapter level's fc2, whose output only feeds the pooled
 * embedding) is skipped: it does not move and its step count does not advance. PyTorch 1.13's
 * {@code zero_grad()} keeps defined gradients as zeros ({@code set_to_none=False}), so once reached,
 * a parameter is stepped on every later step of its optimizer; {@link #zeroGrad} does the same.
 * Whether a gradient is defined is read from the PyTorch engine; on another engine every parameter
 * counts as having one.
 *
 * <p>The moment estimates live in a manager owned by the optimizer; close it to free them.
 */
public final class TorchAdam implements AutoCloseable {
    /** The reference's Adam settings. */
    public static final double DEFAULT_BETA1 = org.mvfaedge.trainer.pipeline.PaperDefaults.ADAM_BETA1;
    public static final double DEFAULT_BETA2 = org.mvfaedge.trainer.pipeline.PaperDefaults.ADAM_BETA2;
    public static final double DEFAULT_EPS = 1e-8;

    private final String name;
    private final List<Parameter> params;
    private final List<String> keys;
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final NDManager manager;
    private final NDArray[] expAvg;
    private final NDArray[] expAvgSq;
    private final long[] steps;

    /**
     * @param name prefix of this optimizer's tensors in a saved state (e.g. {@code seg})
     * @param params the parameters it updates
     * @param keys a stable name per parameter (for saving and restoring the state)
     */
    public TorchAdam(String name, List<Parameter> params, List<String> keys, double lr, double beta1, double beta2,
            double eps) {
        if (params.size() != keys.size()) {
            throw new IllegalArgumentException(params.size() + " parameters but " + keys.size() + " keys");
        }
        if (!(lr >= 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0)) {
            throw new IllegalArgumentException("invalid Adam settings: lr " + lr + ", betas (" + beta1 + ", " + beta2
                    + "), eps " + eps);
        }
        this.name = name;
        this.params = List.copyOf(params);
        this.keys = List.copyOf(keys);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.manager = params.isEmpty() ? NDManager.newBaseManager()
                : params.get(0).getArray().getManager().newSubManager();
        this.expAvg = new NDArray[params.size()];
        this.expAvgSq = new NDArray[params.size()];
        this.steps = new long[params.size()];
    }

    public String name() {
        return name;
    }

    public double learningRate() {
        return lr;
    }

    public List<Parameter> parameters() {
        return params;
    }

    /** Zeroes the defined gradients of this optimizer's parameters, keeping them defined. */
    public void zeroGrad() {
        for (Parameter p : params) {
            NDArray g = definedGradient(p.getArray());
            if (g != null) {
                g.subi(g);
                g.close();
            }
        }
    }

    /** One Adam step on every parameter with a defined gradient. */
    public void step() {
        for (int i = 0; i < params.size(); i++) {
            NDArray w = params.get(i).getArray();
            NDArray g = definedGradient(w);
            if (g == null) {
                continue;
            }
            try (NDManager scope = manager.newSubManager()) {
                g.attach(scope);
                if (expAvg[i] == null) {
                    expAvg[i] = manager.zeros(w.getShape(), DataType.FLOAT32);
                    expAvgSq[i] = manager.zeros(w.getShape(), DataType.FLOAT32);
                }
                long t = ++steps[i];
                NDArray m = expAvg[i];
                NDArray v = expAvgSq[i];
                m.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
                v.muli((float) beta2).addi(g.mul(g).muli((float) (1 - beta2)));
                double bc1 = 1 - Math.pow(beta1, t);
                double bc2 = 1 - Math.pow(beta2, t);
                double stepSize = lr / bc1;
                NDArray denom = v.sqrt().divi((float) Math.sqrt(bc2)).addi((float) eps);
                w.subi(m.div(denom).muli((float) stepSize));
            }
        }
    }

    /** Steps taken by parameter {@code i} (0 until it first had a gradient). */
    public long steps(int i) {
        return steps[i];
    }

    /**
     * The optimizer's state as host tensors: {@code <name>.<key>.exp_avg}, {@code .exp_avg_sq} and
     * {@code .step} (a scalar, as a float tensor of one value: exact up to 2^24 steps).
     */
    public Map<String, HostTensor> state() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            if (expAvg[i] == null) {
                continue;
            }
            String k = name + "." + keys.get(i);
            out.put(k + ".exp_avg", HostTensor.ofFloats(expAvg[i].getShape().getShape(), expAvg[i].toFloatArray()));
            out.put(k + ".exp_avg_sq",
                    HostTensor.ofFloats(expAvgSq[i].getShape().getShape(), expAvgSq[i].toFloatArray()));
            out.put(k + ".step", HostTensor.ofFloats(new long[] {1}, new float[] {steps[i]}));
        }
        return out;
    }

    /** Restores a state written by {@link #state()} (entries of other optimizers are ignored). */
    public void load(Map<String, HostTensor> state) {
        for (int i = 0; i < params.size(); i++) {
            String k = name + "." + keys.get(i);
            HostTensor m = state.get(k + ".exp_avg");
            HostTensor v = state.get(k + ".exp_avg_sq");
            HostTensor t = state.get(k + ".step");
            if (m == null && v == null && t == null) {
                continue;
            }
            if (m == null || v == null || t == null) {
                throw new IllegalArgumentException("incomplete Adam state for " + k);
            }
            Shape shape = params.get(i).getArray().getShape();
            if (!new Shape(m.shape()).equals(shape) || !new Shape(v.shape()).equals(shape)) {
                throw new IllegalArgumentException("Adam state for " + k + " has shape " + new Shape(m.shape())
                        + ", the parameter " + shape);
            }
            if (expAvg[i] != null) {
                expAvg[i].close();
                expAvgSq[i].close();
            }
            expAvg[i] = manager.create(m.floats(), shape);
            expAvgSq[i] = manager.create(v.floats(), shape);
            steps[i] = Math.round(t.floats()[0]);
        }
    }

    /** The parameter's gradient, or null when it is undefined (PyTorch's {@code grad is None}). */
    static NDArray definedGradient(NDArray weight) {
        if (!weight.hasGradient()) {
            return null;
        }
        if (weight instanceof PtNDArray pt) {
            return JniUtils.getGradient(pt);
        }
        return weight.getGradient();
    }

    /** Keys of a list of parameters, for callers that build optimizers from lists. */
    static List<String> indexKeys(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
