package io.callbridge.config;

import java.util.List;

/** A configuration that cannot be used; carries every error found, each prefixed by its path. */
public final class ConfigException extends Exception {
  private final List<String> errors;

  public ConfigException(List<String> errors) {
    super(String.join("\n", errors));
    this.errors = List.copyOf(errors);
  }

  public List<String> errors() {
    return errors;
  }
}
