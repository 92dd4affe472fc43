package io.callbridge.template;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.ConfigException;
import io.callbridge.config.PingSettings;
import io.callbridge.config.RingTreeSettings;
import io.callbridge.config.RouteConfig;
import io.callbridge.config.RouteKind;

import io.callbridge.config.TargetConfig;
import io.callbridge.config.TemplateFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The compiled request templates of a configuration, by name ({@code <templatesDir>/<name>.yaml}).
 * Compiled once, before the gateway starts ({@link #of(CallBridgeConfig)}); rendering a request only
 * fills slots. The configuration names templates; it never compiles them (config imports nothing
 * from here).
 *
 * <pre>
 * Rendering r = templates.get(target.template()).render(inbound.fields(), target.vars(), extras);
 * </pre>
 */
public final class Templates {
  private final Map<String, RequestTemplate> byName;
  private final Phones phones;

  private Templates(Map<String, RequestTemplate> byName, Phones phones) {
    this.byName = Map.copyOf(byName);
    this.phones = phones;
  }

  public static Templates empty(String region) {
    return new Templates(Map.of(), new Phones(region));
  }

  /**
   * Compiles every template {@code config}'s routes name (errors as {@code file:line:column}), then
   * checks each target against its template: every var the template needs is configured, every
   * configured var is one of its tokens. All problems are reported together, each with its place.
   */
  public static Templates of(CallBridgeConfig config) throws ConfigException {
    Path dir = config.templatesDir();
    Set<String> names = new LinkedHashSet<>();
    for (RouteConfig r : config.routes()) {
      for (TargetConfig t : r.targets()) {
        if (!t.template().isEmpty() && TemplateFiles.exists(dir, t.template())) {
          names.add(t.template());
        }
      }
      if (r.settings() instanceof PingSettings ping && !ping.answerTemplate().isEmpty()
          && TemplateFiles.exists(dir, ping.answerTemplate())) {
        names.add(ping.answerTemplate());
      }
      if (r.settings() instanceof RingTreeSettings tree && TemplateFiles.exists(dir, tree.postTemplate())) {
        names.add(tree.postTemplate());
      }
    }
    List<String> errors = new ArrayList<>();
    Templates compiled = compile(dir, names, config.phoneRegion(), errors);
    for (int ri = 0; ri < config.routes().size(); ri++) {
      RouteConfig r = config.routes().get(ri);
      for (int i = 0; i < r.targets().size(); i++) {
        TargetConfig t = r.targets().get(i);
        RequestTemplate tpl = compiled.byName.get(t.template());
        if (tpl == null) {
          continue;
        }
        // A ring tree's target also renders the route's post step with its vars.
        RequestTemplate post = r.settings() instanceof RingTreeSettings tree ? compiled.byName.get(tree.postTemplate())
            : null;
        String vars = "routes[" + ri + "].targets[" + i + "].vars";
        Set<String> provided = providedByRoute(r);
        for (RequestTemplate needs : post == null ? List.of(tpl) : List.of(tpl, post)) {
          for (String v : needs.neededVars()) {
            if (!t.vars().containsKey(v) && !provided.contains(v)) {
              errors.add(vars + ": template '" + needs.name() + "' needs var '" + v + "' (add vars: { " + v + ": ... })");
            }
          }
        }
        for (String v : t.vars().keySet()) {
          if (!tpl.tokens().contains(v) && (post == null || !post.tokens().contains(v))) {
            errors.add(vars + "." + v + ": template '" + t.template() + "' has no token [" + v + "] (its tokens: "
                + String.join(", ", tpl.tokens()) + ")");
          }
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return compiled;
  }

  /** Values a route's flow supplies to its templates (not target vars). */
  private static Set<String> providedByRoute(RouteConfig r) {
    if (r.kind() == RouteKind.LEAD) {
      return Set.of("lead_token", "traffic_source_id");
    }
    return Set.of();
  }

  /**
   * Compiles {@code <dir>/<name>.yaml} for each name. Every problem is added to {@code errors} as
   * {@code file:line:column: message}; a template with errors is left out.
   */
  public static Templates compile(Path dir, Collection<String> names, String region, List<String> errors) {
    Phones phones = new Phones(region);
    Map<String, RequestTemplate> out = new LinkedHashMap<>();
    for (String name : names) {
      if (out.containsKey(name)) {
        continue;
      }
      TemplateFiles.Source source;
      try {
        source = TemplateFiles.read(dir, name).orElse(null);
      } catch (java.io.UncheckedIOException e) {
        errors.add(e.getMessage());
        continue;
      }
      if (source == null) {
        errors.add(dir.resolve(name + ".yaml") + ": no such template");
        continue;
      }
      RequestTemplate t = TemplateCompiler.compile(name, source.location(), source.text(), phones, errors);
      if (t != null) {
        out.put(name, t);
      }
    }
    return new Templates(out, phones);
  }

  /** Compiles one template from text (tests, tools); {@code source} names it in errors. */
  public static Optional<RequestTemplate> compile(String name, String source, String yaml, String region,
      List<String> errors) {
    return Optional.ofNullable(TemplateCompiler.compile(name, source, yaml, new Phones(region), errors));
  }

  public Optional<RequestTemplate> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The template a validated configuration names; unknown names are a bug (configuration checked them). */
  public RequestTemplate get(String name) {
    RequestTemplate t = byName.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no compiled template '" + name + "' (known: " + byName.keySet() + ")");
    }
    return t;
  }

  public Collection<RequestTemplate> all() {
    return byName.values();
  }

  /** Phone formatting in the configured default region (the same the {@code e164} filters use). */
  public Phones phones() {
    return phones;
  }
}
