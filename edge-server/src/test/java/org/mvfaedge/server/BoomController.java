package org.mvfaedge.server;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/** Test only (property test.boom): an endpoint that fails unexpectedly, to check what a client sees then. */
@Controller("/v1/test-boom")
@Requires(property = "test.boom", value = "true")
class BoomController {
    @Get
    String boom() {
        throw new IllegalStateException("internal detail that must not reach a client: /secret/path");
    }
}
