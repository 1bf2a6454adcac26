package org.mvfaedge.sdk.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import com.google.protobuf.ByteString;

/** Factories for node attributes, so graph code reads like the ONNX operator documentation. */
public final class OnnxAttributes {
    private OnnxAttributes() {
    }

    /** An INT attribute. */
    public static AttributeProto i(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
    }

    /** A FLOAT attribute. */
    public static AttributeProto f(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(value).build();
    }

    /** A STRING attribute (UTF-8). */
    public static AttributeProto s(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    /** An INTS attribute. */
    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }
}
