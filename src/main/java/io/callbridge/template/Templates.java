package io.callbridge.template;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The compiled request templates of a configuration, by name ({@code <templatesDir>/<name>.yaml}).
 * Compiled once when the configuration loads; rendering a request only fills slots.
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
      Path file = dir.resolve(name + ".yaml");
      String text;
      try {
        text = Files.readString(file);
      } catch (IOException e) {
        errors.add(file + ": cannot read: " + e.getMessage());
        continue;
      }
      RequestTemplate t = TemplateCompiler.compile(name, file.toString(), text, phones, errors);
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
