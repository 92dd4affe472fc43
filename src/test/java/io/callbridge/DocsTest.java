package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The docs stay navigable and complete: links resolve, and every environment variable is in the table. */
class DocsTest {
  static final Pattern VARIABLE = Pattern.compile("CALLBRIDGE_[A-Z0-9_]*[A-Z0-9]");
  static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

  static List<Path> files(String dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.walk(Path.of(dir))) {
      return s.filter(p -> Files.isRegularFile(p) && p.toString().endsWith(suffix)).sorted().toList();
    }
  }

  @Test
  void everyEnvironmentVariableCallBridgeReadsIsInTheConfigurationTable() throws IOException {
    Set<String> used = new TreeSet<>();
    List<Path> sources = new ArrayList<>(files("src/main/java", ".java"));
    sources.addAll(files("conf", ".yaml"));
    sources.addAll(files("bin", ""));
    for (Path p : sources) {
      Matcher m = VARIABLE.matcher(Files.readString(p));
      while (m.find()) {
        used.add(m.group());
      }
    }
    used.remove("CALLBRIDGE_DB"); // the prefix, as in CALLBRIDGE_DB_*
    String table = Files.readString(Path.of("docs/configuration.md"));
    List<String> missing = used.stream().filter(v -> !table.contains("| `" + v + "` |")).toList();
    assertThat(used).contains("CALLBRIDGE_PORT", "CALLBRIDGE_TD_BASIC_AUTH", "CALLBRIDGE_LOG_FORMAT");
    assertThat(missing).as("variables read but not in docs/configuration.md's table").isEmpty();
  }

  @Test
  void everyLinkInTheReadmeAndTheDocsResolvesToAFileAndAHeading() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(Path.of("README.md"), Path.of("conf/k8s/README.md")));
    pages.addAll(files("docs", ".md"));
    List<String> broken = new ArrayList<>();
    for (Path page : pages) {
      Matcher m = LINK.matcher(Files.readString(page));
      while (m.find()) {
        String target = m.group(1);
        if (target.startsWith("http://") || target.startsWith("https://") || target.startsWith("mailto:")) {
          continue;
        }
        String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
        String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
        Path resolved = file.isEmpty() ? page : page.getParent() == null ? Path.of(file) : page.getParent().resolve(file);
        if (!Files.exists(resolved)) {
          broken.add(page + ": " + target + " (no file " + resolved.normalize() + ")");
        } else if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
          broken.add(page + ": " + target + " (no heading #" + anchor + " in " + resolved.normalize() + ")");
        }
      }
    }
    assertThat(broken).isEmpty();
  }

  /** GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces to hyphens. */
  static Set<String> anchors(Path page) throws IOException {
    Set<String> out = new TreeSet<>();
    for (String line : Files.readAllLines(page)) {
      if (line.startsWith("#")) {
        String text = line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT);
        out.add(text.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
      }
    }
    return out;
  }
}
