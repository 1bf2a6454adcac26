package org.mvfaedge.server.http;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import org.mvfaedge.server.model.DetectionService;

/**
 * Refuses a detection with 503 before its body is read when every slot is busy and the wait line is
 * full, so a burst of large uploads is not buffered only to be refused. (The service checks again when
 * the request arrives; this is the cheap early answer.)
 */
@ServerFilter("/v1/detect")
public class AdmissionFilter implements Ordered {
    private final DetectionService service;
    private final Problems problems;

    public AdmissionFilter(DetectionService service, Problems problems) {
        this.service = service;
        this.problems = problems;
    }

    @Override
    public int getOrder() {
        return ServerFilterPhase.SECURITY.after();
    }

    @RequestFilter
    @Nullable
    public HttpResponse<?> admit(HttpRequest<?> request) {
        if (request.getMethod() != HttpMethod.POST || !service.gate().saturated()) {
            return null;
        }
        int retry = service.retryAfterSeconds();
        return problems.response(request, DetectionService.overloaded(service.gate(), retry,
                "All " + service.gate().slots() + " inference slots are busy and " + service.gate().queueSize()
                        + " requests are already waiting; retry after " + retry + " s."));
    }
}
