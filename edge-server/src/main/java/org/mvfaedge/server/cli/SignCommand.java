package org.mvfaedge.server.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mvfaedge.sdk.pkg.trust.Ed25519Keys;
import org.mvfaedge.sdk.pkg.trust.PackageSignature;
import org.mvfaedge.sdk.pkg.trust.PackageSigner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sign}: approves a model package with a private key: checks the package (every sha256, no file
 * the manifest does not name), then writes {@code manifest.sig} atomically. Boxes started with the public
 * key ({@code --trusted-key}) then open it, and nothing changed after this moment.
 */
@Command(name = "sign", mixinStandardHelpOptions = true,
        description = "Sign a model package (writes manifest.sig) with an Ed25519 private key.")
public final class SignCommand implements Callable<Integer> {
    @Option(names = "--key", required = true, paramLabel = "PRIVATE", description = "Private key PEM (from keygen or openssl genpkey -algorithm ed25519).")
    Path key;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model package folder to sign.")
    Path model;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PackageSignature s = PackageSigner.sign(model, Ed25519Keys.readPrivate(key));
        var w = spec.commandLine().getOut();
        w.printf("signed %s with key %s (%s)%n", model, s.keyId(), model.resolve(PackageSignature.FILE));
        w.flush();
        return 0;
    }
}
