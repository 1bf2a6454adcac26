package org.mvfaedge.server.http;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.InferenceException;
import org.mvfaedge.sdk.ModelPackageException;
import org.mvfaedge.sdk.MvfaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SDK's typed errors as problem+json. Their messages say what was wrong with the input and never
 * contain pixel data; the server passes them on so a caller can act on them.
 */
@Produces
@Singleton
public class SdkExceptionHandler implements ExceptionHandler<MvfaException, HttpResponse<?>> {
    private static final Logger LOG = LoggerFactory.getLogger(SdkExceptionHandler.class);
    private final Problems problems;

    public SdkExceptionHandler(Problems problems) {
        this.problems = problems;
    }

    @Override
    public HttpResponse<?> handle(HttpRequest request, MvfaException e) {
        return problems.response(request, toApi(e, RequestIds.of(request)));
    }

    /** Maps an SDK error to the status a caller should see. */
    public static ApiException toApi(MvfaException e, String requestId) {
        if (e instanceof ImageDecodeException d) {
            return switch (d.reason()) {
                case EMPTY -> new ApiException(HttpStatus.BAD_REQUEST, "empty-image", "Empty image",
                        "The request carried no image bytes: send the image as the body (or the multipart field 'image').");
                case UNSUPPORTED_FORMAT -> new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-image-format",
                        "Unsupported image format", d.getMessage() + " (supported: PNG 8/16-bit, JPEG, BMP, TIFF)");
                case TOO_LARGE -> new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "image-too-large",
                        "Image dimensions too large", d.getMessage());
                case CORRUPT, RAW_SIZE_MISMATCH, UNREADABLE -> new ApiException(HttpStatus.UNPROCESSABLE_ENTITY,
                        "corrupt-image", "Image cannot be decoded", d.getMessage());
            };
        }
        if (e instanceof ModelPackageException) {
            return new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "invalid-model-package", "Invalid model package",
                    e.getMessage());
        }
        if (e instanceof InferenceException) {
            LOG.error("request {}: inference failed", requestId, e);
            return new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "inference-failed", "Inference failed",
                    "The model failed on this image; the operator can find it in the server log under request id "
                            + requestId + ".");
        }
        LOG.error("request {}: SDK error", requestId, e);
        return new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal server error",
                "The server failed on this request; the operator can find it in the server log under request id "
                        + requestId + ".");
    }
}
