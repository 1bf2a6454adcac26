package org.mvfaedge.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code ./mvfa serve} options, translated to configuration properties (which win over
 * application.yml and the environment). Anything of the form {@code --some.property=value} is passed on
 * to Micronaut unchanged.
 */
public record ServeArgs(Map<String, Object> properties, List<String> passThrough, boolean help) {
    public static final String USAGE = String.join("\n",
            "Usage: ./mvfa serve --model <package> [--model [id=]<package>...] [--port N] [--host ADDR] [--insecure-no-auth]",
            "  --model             a model package folder (made by ./mvfa export); id=folder names it (default: the manifest's id)",
            "  --port              HTTP port (default 8080, or MVFA_PORT)",
            "  --host              address to bind (default 127.0.0.1; to serve the network configure TLS, see the README)",
            "  --trusted-key PUB   load only packages signed by this Ed25519 public key (PEM; repeatable; or MVFA_TRUSTED_KEYS)",
            "  --insecure-no-auth  serve without API keys (trusted networks only); otherwise set MVFA_API_KEYS / MVFA_ADMIN_KEYS",
            "  --<property>=<v>    any configuration property, e.g. --mvfa.limits.inference-slots=2",
            "Environment: MVFA_MODELS, MVFA_API_KEYS, MVFA_ADMIN_KEYS (SHA-256 hex of each key, comma-separated), MVFA_PORT.");

    public static ServeArgs parse(String... args) {
        Map<String, Object> props = new LinkedHashMap<>();
        List<String> models = new ArrayList<>();
        List<String> trustedKeys = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (name) {
                case "--model", "-m" -> models.add(value != null ? value : next(args, ++i, name));
                case "--port", "-p" -> {
                    String v = value != null ? value : next(args, ++i, name);
                    try {
                        int port = Integer.parseInt(v);
                        if (port < -1 || port > 65535) {
                            throw new NumberFormatException();
                        }
                        props.put("micronaut.server.port", port);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port needs a port number 0-65535 (or -1 for a random one), got '"
                                + v + "'");
                    }
                }
                case "--trusted-key" -> trustedKeys.add(value != null ? value : next(args, ++i, name));
                case "--host" -> props.put("micronaut.server.host", value != null ? value : next(args, ++i, name));
                case "--insecure-no-auth" -> props.put("mvfa.insecure-no-auth", true);
                case "--help", "-h" -> help = true;
                default -> {
                    if (a.startsWith("--") && eq > 0) {
                        rest.add(a);
                    } else {
                        throw new IllegalArgumentException("unknown option '" + a + "'");
                    }
                }
            }
        }
        if (!models.isEmpty()) {
            props.put("mvfa.models", List.copyOf(models));
        }
        if (!trustedKeys.isEmpty()) {
            props.put("mvfa.trusted-keys", List.copyOf(trustedKeys));
        }
        return new ServeArgs(props, rest, help);
    }

    private static String next(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
