package org.mvfaedge.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import org.mvfaedge.sdk.pkg.trust.Ed25519Keys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keygen}: an Ed25519 key pair for signing model packages. The private key is PKCS#8 PEM readable
 * only by its owner (created so from the start, never world-readable for a moment), the public key a PEM
 * to hand to every box that must trust the packages. Existing files are never overwritten: losing a
 * signing key to a typo would orphan every package it signed.
 */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Make an Ed25519 key pair for signing model packages (private key owner-only).")
public final class KeygenCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the two key files (created if missing).")
    Path out;

    @Option(names = "--name", defaultValue = "mvfa-signing", paramLabel = "NAME",
            description = "File name stem: NAME.pem (private) and NAME.pub.pem (public); default ${DEFAULT-VALUE}.")
    String name;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (name.isBlank() || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("--name must be a plain file name stem, got '" + name + "'");
        }
        Files.createDirectories(out);
        Path priv = out.resolve(name + ".pem");
        Path pub = out.resolve(name + ".pub.pem");
        for (Path p : new Path[] {priv, pub}) {
            if (Files.exists(p)) {
                throw new IllegalArgumentException(p + " exists already; keygen never overwrites a key (choose another"
                        + " --out or --name)");
            }
        }
        KeyPair kp = Ed25519Keys.generate();
        writeNew(priv, Ed25519Keys.toPem(kp.getPrivate()), true);
        writeNew(pub, Ed25519Keys.toPem(kp.getPublic()), false);
        var w = spec.commandLine().getOut();
        w.printf("private key %s (keep it off the boxes; owner-only)%npublic key  %s (give it to the boxes: --trusted-key)%n"
                + "key id      %s%n", priv, pub, Ed25519Keys.keyId(kp.getPublic()));
        w.flush();
        return 0;
    }

    /** Writes through a temporary file created with the final permissions, then moved into place without replacing. */
    private static void writeNew(Path target, String text, boolean ownerOnly) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString(ownerOnly ? "rw-------" : "rw-r--r--")));
        } catch (UnsupportedOperationException e) {
            if (ownerOnly) {
                throw new IllegalStateException("this file system cannot make a file readable only by its owner;"
                        + " write the private key to a POSIX file system");
            }
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        }
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            if (!ownerOnly) {
                // the umask may have narrowed createTempFile's attribute; a public key is meant to be read
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
