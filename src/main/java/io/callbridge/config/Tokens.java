package io.callbridge.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The named tokens a caller may show: a route's ({@code auth: {token: …}} or {@code auth: {tokens:
 * [{name, token}, …]}}) or the admin port's ({@code server.adminTokens: [{name, token, role}]}).
 * Several at once is how a token is rotated: add the new one, move the callers, watch the old one's
 * name disappear from the access log and {@code callbridge_auth_requests_total}, remove it. A token
 * whose value is empty (an unset variable) is listed but never matches. Only names are ever logged.
 */
public record Tokens(List<Named> all) {
  /** What a token may do: call a route, read the admin API, or also change things through it. */
  public enum Role {
    CALLER, VIEWER, OPERATOR;

    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One token: its name (logged), its value (never), its role. */
  public record Named(String name, Secret secret, Role role) {}

  /** Who called the admin API: kept in the request's context under {@link #CONTEXT_KEY}. */
  public record Caller(String tokenName, Role role) {
    public static final String CONTEXT_KEY = "callbridge.caller";

    public boolean mayChange() {
      return role == Role.OPERATOR;
    }
  }

  public static final Tokens NONE = new Tokens(List.of());
  /** The name a route's single {@code token:} goes by. */
  public static final String DEFAULT_NAME = "default";
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

  /** True when at least one token has a value (else every caller is refused). */
  public boolean isPresent() {
    return all.stream().anyMatch(t -> t.secret().isPresent());
  }

  /**
   * The token {@code candidate} is, if any. Every token is compared, in constant time each, so the
   * time taken says nothing about which one (or how much of one) matched.
   */
  public Optional<Named> match(String candidate) {
    Named found = null;
    for (Named t : all) {
      if (t.secret().matches(candidate) && found == null) {
        found = t;
      }
    }
    return Optional.ofNullable(found);
  }

  /** A route's {@code auth}: {@code token} (named "default") or {@code tokens: [{name, token}]}. */
  static Tokens parseRoute(Node auth) {
    if (auth.isMissing()) {
      auth.error("is required: give the token callers send (auth: {token: ${ENV_VAR}})");
      return NONE;
    }
    auth.only("token", "tokens");
    if (auth.has("token") == auth.has("tokens")) {
      auth.error("give either token (one) or tokens (a list of {name, token}, for rotation)");
      return NONE;
    }
    if (auth.has("token")) {
      // An empty token (an unset ${VAR:-}) is allowed: the route is closed and answers 401 to everyone.
      return new Tokens(List.of(new Named(DEFAULT_NAME, auth.secret("token", ""), Role.CALLER)));
    }
    return list(auth.get("tokens"), false);
  }

  /**
   * The admin port's tokens: {@code adminTokens: [{name, token, role}]}, and the older single
   * {@code adminToken} (name "admin", role operator).
   */
  static Tokens parseAdmin(Node server, String adminTokenFallback) {
    List<Named> out = new ArrayList<>();
    Secret single = server.secret("adminToken", adminTokenFallback);
    if (single.isPresent()) {
      out.add(new Named("admin", single, Role.OPERATOR));
    }
    if (server.has("adminTokens")) {
      out.addAll(list(server.get("adminTokens"), true).all());
    }
    Set<String> names = new HashSet<>();
    for (Named t : out) {
      if (!names.add(t.name())) {
        server.get("adminTokens").error("the token name '" + t.name() + "' is used twice"
            + (t.name().equals("admin") ? " ('admin' is adminToken's)" : ""));
      }
    }
    return new Tokens(List.copyOf(out));
  }

  private static Tokens list(Node list, boolean admin) {
    List<Named> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    if (list.items().isEmpty()) {
      list.error("needs at least one {name, token}");
    }
    for (Node item : list.items()) {
      item.only(admin ? new String[] {"name", "token", "role"} : new String[] {"name", "token"});
      String name = item.requiredString("name");
      if (!name.isEmpty() && !NAME.matcher(name).matches()) {
        item.get("name").error("must be lowercase letters, digits, '.', '-' or '_' (it is logged and a metric tag), got '"
            + name + "'");
      }
      if (!names.add(name)) {
        item.get("name").error("the token name '" + name + "' is used twice");
      }
      if (!item.has("token")) {
        item.get("token").error("is required");
      }
      Role role = Role.CALLER;
      if (admin) {
        String r = item.string("role", "viewer");
        role = switch (r) {
          case "viewer" -> Role.VIEWER;
          case "operator" -> Role.OPERATOR;
          default -> {
            item.get("role").error("must be viewer (reads) or operator (also replays, cancels, fixes), got '" + r + "'");
            yield Role.VIEWER;
          }
        };
      }
      out.add(new Named(name, item.secret("token", ""), role));
    }
    return new Tokens(List.copyOf(out));
  }
}
