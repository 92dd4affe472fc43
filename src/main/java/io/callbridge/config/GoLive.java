package io.callbridge.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * The go-live check ({@code check-config --strict}, the default for {@code callbridge.yaml}): what a
 * valid configuration may still get wrong against real accounts. Each problem names its path and
 * what to do:
 * <ul>
 *   <li>a value built from an environment variable that is unset or empty (a route's token, a Ringba
 *       id, the TrackDrive key) — the route would answer 401, or the platform would refuse us;</li>
 *   <li>a placeholder left in place ({@code yourcompany}, {@code unset}, {@code changeme});</li>
 *   <li>a secret or id written as an empty literal.</li>
 * </ul>
 * It reads the document before the environment is resolved, so it can say which variable to set.
 */
public final class GoLive {
  /** Values that only ever stand in for a real one. */
  private static final Set<String> PLACEHOLDERS = Set.of("yourcompany", "unset", "changeme", "change-me", "todo",
      "xxx", "example");
  /** Keys whose value must not be empty in production, wherever they are. */
  private static final Set<String> REQUIRED_KEYS = Set.of("token", "adminToken", "leadToken", "trafficSourceId",
      "endpointUrl", "Authorization");

  /** Values that may stay empty in production. */
  private static final List<String> OPTIONAL = List.of("tls.certPath", "tls.keyPath");

  private GoLive() {}

  /** Every go-live problem of a document that {@link ConfigLoader} accepted. */
  public static List<String> problems(String yaml, String sourceName, Map<String, String> env) throws ConfigException {
    List<String> out = new ArrayList<>();
    walk("", ConfigLoader.parseYaml(yaml, sourceName), env, out);
    return out;
  }

  /** The shortest token we call long enough to resist guessing. */
  public static final int MIN_TOKEN_LENGTH = 24;

  /**
   * What does not stop a start but should be looked at: tokens shorter than {@value #MIN_TOKEN_LENGTH}
   * characters (a route token sits in URLs and logs of the platforms that call it).
   */
  public static List<String> warnings(CallBridgeConfig config) {
    List<String> out = new ArrayList<>();
    for (Tokens.Named t : config.server().adminTokens().all()) {
      shortToken("server.adminTokens '" + t.name() + "'", t, out);
    }
    for (int i = 0; i < config.routes().size(); i++) {
      for (Tokens.Named t : config.routes().get(i).tokens().all()) {
        shortToken("routes[" + i + "].auth '" + t.name() + "' (" + config.routes().get(i).name() + ")", t, out);
      }
    }
    return out;
  }

  private static void shortToken(String where, Tokens.Named t, List<String> out) {
    int n = t.secret().value().length();
    if (n > 0 && n < MIN_TOKEN_LENGTH) {
      out.add(where + ": the token is " + n + " characters; use at least " + MIN_TOKEN_LENGTH
          + " random ones (e.g. openssl rand -hex 16)");
    }
  }

  /**
   * A {@code Basic} Authorization header must be base64 of {@code public_key:private_key} (TrackDrive's
   * API keys); {@code null} when it is, else what is wrong.
   */
  public static String basicAuthProblem(String headerValue) {
    String v = headerValue.trim();
    if (!v.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String encoded = v.substring(6).trim();
    if (encoded.isEmpty()) {
      return null; // unset: reported as such
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "are not base64";
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0 || colon == decoded.length() - 1) {
      return "are base64, but not of public_key:private_key";
    }
    return null;
  }

  private static void walk(String path, Object node, Map<String, String> env, List<String> out) {
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = String.valueOf(e.getKey());
        walk(path.isEmpty() ? key : path + "." + key, e.getValue(), env, out);
      }
    } else if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        walk(path + "[" + i + "]", list.get(i), env, out);
      }
    } else if (node instanceof String raw) {
      scalar(path, raw, env, out);
    }
  }

  private static void scalar(String path, String raw, Map<String, String> env, List<String> out) {
    Matcher m = Node.ENV_REF.matcher(raw);
    StringBuilder resolved = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String fromEnv = env.get(name);
      String fallback = m.group(2);
      boolean set = fromEnv != null && !fromEnv.isEmpty();
      String value = set ? fromEnv : fallback == null ? "" : fallback;
      if (value.isEmpty() && OPTIONAL.stream().anyMatch(path::endsWith)) {
        // Left empty on purpose: plain HTTP behind a TLS-terminating load balancer.
      } else if (value.isEmpty()) {
        out.add(path + ": " + name + " is not set: set it to " + what(path));
      } else if (!set && PLACEHOLDERS.contains(value.toLowerCase(Locale.ROOT))) {
        out.add(path + ": '" + value + "' is a placeholder (" + name + " is not set): set " + name + " to "
            + what(path));
      }
      m.appendReplacement(resolved, Matcher.quoteReplacement(value));
    }
    m.appendTail(resolved);
    String key = path.substring(Math.max(path.lastIndexOf('.'), path.lastIndexOf(']')) + 1);
    boolean referencesEnv = raw.contains("${");
    if (!referencesEnv && raw.isBlank() && (REQUIRED_KEYS.contains(key) || path.contains(".vars."))) {
      out.add(path + ": empty: set it to " + what(path));
    }
    if (!referencesEnv && PLACEHOLDERS.contains(raw.trim().toLowerCase(Locale.ROOT))) {
      out.add(path + ": '" + raw.trim() + "' is a placeholder: set it to " + what(path));
    }
    if (key.equals("Authorization")) {
      String problem = basicAuthProblem(resolved.toString());
      if (problem != null) {
        out.add(path + ": the Basic credentials " + problem + ": set it to the base64 of TrackDrive's"
            + " public_key:private_key, e.g. printf %s 'PUBLIC:PRIVATE' | base64 -w0");
      }
    }
  }

  /** What belongs at a path, in the words of the platform it comes from. */
  private static String what(String path) {
    if (path.endsWith("auth.token")) {
      return "the token this route's callers send (X-CallBridge-Token or ?token=); a long random string";
    }
    if (path.endsWith("adminToken")) {
      return "a long random string; admin callers send it as Authorization: Bearer";
    }
    if (path.endsWith("Authorization")) {
      return "Basic <base64 of TrackDrive's public_key:private_key> (TrackDrive: Settings → API keys)";
    }
    if (path.endsWith("leadToken")) {
      return "the lead_token of the offer's posting instructions (TrackDrive: Offers → Posting Instructions)";
    }
    if (path.endsWith("trafficSourceId")) {
      return "the traffic_source_id of the offer's posting instructions";
    }
    if (path.endsWith("rtb_id")) {
      return "the RTB id of the Ringba campaign's RTB target (its URL ends /<rtb_id>.json)";
    }
    if (path.endsWith("publisher_number_id")) {
      return "the id in the Ringba enrichment URL (display.ringba.com/enrich/<id>)";
    }
    if (path.endsWith("webhook_id")) {
      return "the id of the Ringba incoming webhook (webhook.ringba.com/hook/<id>)";
    }
    if (path.contains("subdomain") || path.endsWith("baseUrl") || path.endsWith("endpointUrl")) {
      return "your TrackDrive company's subdomain (<subdomain>.trackdrive.com)";
    }
    return "its real value";
  }
}
