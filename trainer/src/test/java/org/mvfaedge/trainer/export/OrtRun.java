package org.mvfaedge.trainer.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs an ONNX model file in ONNX Runtime (CPU) on one float input; outputs as flat arrays and shapes. */
final class OrtRun implements AutoCloseable {
    /** One output: C-order values and shape. */
    record Output(float[] values, long[] shape) {
    }

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    OrtRun(Path model) throws OrtException {
        session = env.createSession(model.toString(), new OrtSession.SessionOptions());
    }

    java.util.Set<String> outputNames() {
        return session.getOutputNames();
    }

    Map<String, Output> run(String input, float[] data, long... shape) throws OrtException {
        Map<String, Output> out = new LinkedHashMap<>();
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
                OrtSession.Result r = session.run(Map.of(input, t))) {
            for (Map.Entry<String, OnnxValue> e : r) {
                OnnxTensor v = (OnnxTensor) e.getValue();
                FloatBuffer fb = v.getFloatBuffer();
                float[] values = new float[fb.remaining()];
                fb.get(values);
                out.put(e.getKey(), new Output(values, v.getInfo().getShape()));
            }
        }
        return out;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
