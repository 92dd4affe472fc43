package io.callbridge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One command's arguments, checked strictly: options with a value ({@code --port 8090} or
 * {@code --port=8090}), flags ({@code --strict}), at most {@code maxPositional} plain arguments.
 * Anything else is a {@link Usage} error (the caller prints it with the usage and exits 2);
 * {@code --help} or {@code -h} anywhere asks for the usage instead.
 */
record CommandLine(Map<String, String> options, Set<String> flags, List<String> positional, boolean help) {

  /** A command line that does not fit the command: the message says which argument. */
  static final class Usage extends Exception {
    Usage(String message) {
      super(message);
    }
  }

  static CommandLine parse(List<String> args, Set<String> valued, Set<String> booleans, int maxPositional)
      throws Usage {
    Map<String, String> options = new LinkedHashMap<>();
    Set<String> flags = new java.util.LinkedHashSet<>();
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--help") || a.equals("-h")) {
        return new CommandLine(Map.of(), Set.of(), List.of(), true);
      }
      if (!a.startsWith("-") || a.equals("-")) {
        if (positional.size() == maxPositional) {
          throw new Usage("unexpected argument '" + a + "'");
        }
        positional.add(a);
        continue;
      }
      int eq = a.indexOf('=');
      String name = eq < 0 ? a : a.substring(0, eq);
      if (valued.contains(name)) {
        String value;
        if (eq >= 0) {
          value = a.substring(eq + 1);
        } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
          value = args.get(++i);
        } else {
          throw new Usage(name + " needs a value");
        }
        if (value.isEmpty()) {
          throw new Usage(name + " needs a value");
        }
        options.put(name, value);
      } else if (booleans.contains(name) && eq < 0) {
        flags.add(name);
      } else {
        throw new Usage("unknown option '" + a + "'");
      }
    }
    return new CommandLine(Map.copyOf(options), Set.copyOf(flags), List.copyOf(positional), false);
  }

  Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name));
  }

  boolean flag(String name) {
    return flags.contains(name);
  }

  /** An option's value as a number in [min, max]. */
  Optional<Long> number(String name, long min, long max) throws Usage {
    Optional<String> v = option(name);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    try {
      long n = Long.parseLong(v.get().trim());
      if (n < min || n > max) {
        throw new Usage(name + " must be between " + min + " and " + max + ", got " + n);
      }
      return Optional.of(n);
    } catch (NumberFormatException e) {
      throw new Usage(name + " must be a whole number, got '" + v.get() + "'");
    }
  }
}
