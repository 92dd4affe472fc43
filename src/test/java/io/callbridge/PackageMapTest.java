package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package map (docs/architecture.md): which capability may import which. Arrows point one way:
 * lower capabilities never import flows or ingress, ingress never imports upstream, config imports
 * nothing of ours, flows never import each other. Only the root package wires everything.
 */
class PackageMapTest {
  static final Path MAIN = Path.of("src/main/java/io/callbridge");

  static final Map<String, Set<String>> MAY_IMPORT = Map.ofEntries(
      Map.entry("deadline", Set.of()),
      Map.entry("metrics", Set.of()),
      Map.entry("config", Set.of()),
      Map.entry("store", Set.of("config")),
      Map.entry("template", Set.of("config", "upstream")),
      Map.entry("upstream", Set.of("config", "deadline", "metrics")),
      Map.entry("correlation", Set.of("config", "metrics")),
      Map.entry("outbox", Set.of("config", "deadline", "metrics", "store", "upstream")),
      Map.entry("ingress", Set.of("config", "deadline", "metrics")),
      Map.entry("flow", Set.of("config", "correlation", "deadline", "ingress", "metrics", "outbox", "template",
          "upstream")),
      Map.entry("reconcile", Set.of("config", "metrics", "store")),
      Map.entry("sim", Set.of("config")),
      Map.entry("demo", Set.of("config", "sim")));

  static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.callbridge\\.([a-z]+)(?:\\.([a-z]+))?",
      Pattern.MULTILINE);

  @Test
  void everyImportFollowsThePackageMap() throws IOException {
    List<String> wrong = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Path rel = MAIN.relativize(f);
        if (rel.getNameCount() == 1) {
          continue; // the root package is the composition root: it wires every capability
        }
        String pkg = rel.getName(0).toString();
        String sub = pkg.equals("flow") ? rel.getName(1).toString() : null;
        Set<String> allowed = MAY_IMPORT.get(pkg);
        assertThat(allowed).as("package %s is on the map", pkg).isNotNull();
        Matcher m = IMPORT.matcher(Files.readString(f));
        while (m.find()) {
          String target = m.group(1);
          if (target.equals(pkg) && (sub == null || sub.equals(m.group(2)))) {
            continue;
          }
          if (!allowed.contains(target) || (pkg.equals("flow") && target.equals("flow"))) {
            wrong.add(rel + " imports io.callbridge." + target + (m.group(2) == null ? "" : "." + m.group(2)));
          }
        }
      }
    }
    assertThat(wrong).as("imports against the package map").isEmpty();
  }
}
