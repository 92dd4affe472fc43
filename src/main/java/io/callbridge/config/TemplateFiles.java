package io.callbridge.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a template named in the configuration is read from: {@code <templates>/<name>.yaml} when
 * that file exists, else the template of that name shipped in the jar (a copy of
 * {@code conf/templates/}), so a copied {@code callbridge.yaml} runs without the folder beside it. A
 * file in the folder always wins: that is how an operator changes a shipped template.
 */
public final class TemplateFiles {
  /** Where the shipped templates are inside the jar (the pom copies conf/templates there). */
  static final String SHIPPED = "io/callbridge/templates/";

  /** A template's text and where it came from (a file path, or {@code jar:<name>.yaml}). */
  public record Source(String location, String text) {}

  private TemplateFiles() {}

  public static boolean exists(Path dir, String name) {
    return Files.isRegularFile(dir.resolve(name + ".yaml")) || shipped(name) != null;
  }

  /** The template's text, or empty when neither the folder nor the jar has it. */
  public static Optional<Source> read(Path dir, String name) {
    Path file = dir.resolve(name + ".yaml");
    try {
      if (Files.isRegularFile(file)) {
        return Optional.of(new Source(file.toString(), Files.readString(file)));
      }
      try (InputStream in = shipped(name)) {
        return in == null ? Optional.empty()
            : Optional.of(new Source("jar:" + name + ".yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static InputStream shipped(String name) {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      return null;
    }
    return TemplateFiles.class.getClassLoader().getResourceAsStream(SHIPPED + name + ".yaml");
  }
}
