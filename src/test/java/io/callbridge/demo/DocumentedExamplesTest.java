package io.callbridge.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.PostgresConfig;
import io.callbridge.testing.Eventually;
import io.callbridge.testing.TestDb;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README and docs/ cannot drift: every {@code sh} example that calls the demo's ports
 * (127.0.0.1:8080, 9090, 8090) is run, as written, against {@code bin/callbridge demo --keep-running}
 * (the test's own ports and schema substituted), in document order, and its answer is checked
 * against the {@code # → <status> <shape>} line under it. A shape is JSON in which {@code …} stands
 * for any value; every key it names must be there, every literal value must be equal. Afterwards
 * nothing the examples sent is left pending, dead or unmatched.
 */
class DocumentedExamplesTest {
  /** The pages, in the order a reader meets them (the README first). */
  static List<Path> pages() throws IOException {
    List<Path> out = new ArrayList<>(List.of(Path.of("README.md")));
    try (Stream<Path> docs = Files.list(Path.of("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
    }
    return out;
  }

  static final Pattern DEMO_PORT = Pattern.compile("(?:127\\.0\\.0\\.1|localhost):(8080|9090|8090)\\b");
  static final Pattern EXPECT = Pattern.compile("#\\s*→\\s*(\\d{3})\\b\\s*(.*)");

  /** One example: where it is, the command as written, the status and shape under it. */
  record Example(String where, String command, int status, String shape) {}

  static PostgresConfig db;
  static CountDownLatch stop = new CountDownLatch(1);
  static Thread demo;
  static final ByteArrayOutputStream output = new ByteArrayOutputStream();
  static Map<String, String> ports;

  @BeforeAll
  static void startTheDemo() {
    db = TestDb.freshSchema(DocumentedExamplesTest.class);
    PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
    Demo.Options options = new Demo.Options(Path.of("conf/demo.yaml"), Path.of("conf/sim.yaml"), Map.of(), 0,
        c -> c.withServer(c.server().withPorts(0, 0)).withPostgres(db), Optional.empty(), true, stop, out);
    demo = new Thread(() -> Demo.run(options), "demo --keep-running");
    demo.start();
    String said = Eventually.value("the demo stays up", Duration.ofMinutes(2), () -> {
      String text = output.toString(StandardCharsets.UTF_8);
      if (!demo.isAlive()) {
        throw new AssertionError("the demo ended:\n" + text);
      }
      return text.contains("everything stays up") ? Optional.of(text) : Optional.empty();
    });
    assertThat(said).as(said).contains("0 failed");
    Matcher sim = Pattern.compile("simulators\\s+http://127\\.0\\.0\\.1:(\\d+)").matcher(said);
    Matcher gw = Pattern.compile("gateway\\s+http://127\\.0\\.0\\.1:(\\d+)\\s+admin http://127\\.0\\.0\\.1:(\\d+)").matcher(said);
    assertThat(sim.find() && gw.find()).as(said).isTrue();
    ports = Map.of("8090", sim.group(1), "8080", gw.group(1), "9090", gw.group(2));
  }

  @AfterAll
  static void stopTheDemo() throws InterruptedException {
    stop.countDown();
    demo.join(TimeUnit.SECONDS.toMillis(60));
    TestDb.drop(db);
  }

  /** Every example of a page: {@code sh} blocks' commands that call a demo port, with their expectation. */
  static List<Example> examples(Path page, List<String> problems) throws IOException {
    List<Example> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(page);
    String fence = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String trimmed = line.strip();
      if (trimmed.startsWith("```")) {
        fence = fence == null ? trimmed.substring(3).strip() : null;
        continue;
      }
      if (fence == null || !trimmed.startsWith("curl ")) {
        continue;
      }
      int start = i;
      StringBuilder command = new StringBuilder();
      while (true) {
        String part = lines.get(i).strip();
        boolean more = part.endsWith("\\");
        command.append(more ? part.substring(0, part.length() - 1) : part).append(' ');
        if (!more) {
          break;
        }
        i++;
      }
      String where = page + ":" + (start + 1);
      if (!DEMO_PORT.matcher(command).find()) {
        continue; // not against the demo (a production host, a placeholder)
      }
      if (!fence.equals("sh")) {
        problems.add(where + ": an example against the demo belongs in a ```sh block (this one is ```" + fence + ")");
        continue;
      }
      if (command.indexOf("$") >= 0) {
        problems.add(where + ": uses an environment variable; write what the demo takes (demo, demo-admin)");
      }
      if (command.indexOf("|") >= 0) {
        problems.add(where + ": pipes its output; an example shows one request and its answer");
      }
      Matcher m = i + 1 < lines.size() ? EXPECT.matcher(lines.get(i + 1).strip()) : null;
      if (m == null || !m.matches()) {
        problems.add(where + ": no '# → <status> <shape>' line under it");
        continue;
      }
      out.add(new Example(where, command.toString().strip(), Integer.parseInt(m.group(1)), m.group(2).strip()));
    }
    return out;
  }

  @Test
  void everyExampleInTheReadmeAndTheDocsAnswersAsWritten() throws Exception {
    List<String> problems = new ArrayList<>();
    int ran = 0;
    for (Path page : pages()) {
      for (Example e : examples(page, problems)) {
        ran++;
        run(e, problems);
      }
    }
    assertThat(problems).as("examples that do not answer as written (%d run)", ran).isEmpty();
    assertThat(ran).as("examples run").isGreaterThanOrEqualTo(20);
    // Everything the examples sent reached its simulated platform (or was, as documented, not sent).
    Eventually.until("no postback or lead left pending", () ->
        TestDb.count(db, "SELECT count(*) FROM outbox WHERE status = 'pending'") == 0);
    assertThat(TestDb.count(db, "SELECT count(*) FROM outbox WHERE status IN ('dead', 'unmatched')"))
        .as("rows the examples left dead or unmatched").isZero();
  }

  static void run(Example e, List<String> problems) throws IOException, InterruptedException {
    Matcher m = DEMO_PORT.matcher(e.command());
    String command = m.replaceAll(r -> "127.0.0.1:" + ports.get(r.group(1)));
    Path body = Files.createTempFile("callbridge-example", ".body");
    try {
      Process p = new ProcessBuilder("bash", "-c", command + " -o '" + body + "' -w '%{http_code}'")
          .redirectErrorStream(true).start();
      String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        problems.add(e.where() + ": the command failed (" + said + "): " + e.command());
        return;
      }
      String answer = Files.readString(body).strip();
      if (!said.equals(String.valueOf(e.status()))) {
        problems.add(e.where() + ": answered " + said + " " + answer + ", the page says " + e.status());
        return;
      }
      if (e.shape().startsWith("{") || e.shape().startsWith("[")) {
        Object expected = shape(e.shape());
        Object actual;
        try {
          actual = answer.startsWith("[") ? new JsonArray(answer) : new JsonObject(answer);
        } catch (RuntimeException notJson) {
          problems.add(e.where() + ": answered " + answer + ", not JSON");
          return;
        }
        String mismatch = mismatch("", expected, actual);
        if (mismatch != null) {
          problems.add(e.where() + ": " + mismatch + " in " + answer);
        }
      }
    } finally {
      Files.deleteIfExists(body);
    }
  }

  /** The page's shape as JSON: {@code …} for any value, {@code {…}} any object, {@code [...,…]} more items. */
  static Object shape(String text) {
    String json = text.replace("{…}", "{}").replace("[…]", "[]").replace(",…}", "}").replace(",…]", "]")
        .replace("\"…\"", "null").replace("…", "null");
    return json.startsWith("[") ? new JsonArray(json) : new JsonObject(json);
  }

  /** Null when {@code actual} has the shape, else what differs (at a JSON path). */
  static String mismatch(String path, Object expected, Object actual) {
    if (expected == null) {
      return actual == null ? path + ": missing" : null;
    }
    if (expected instanceof JsonObject e) {
      if (!(actual instanceof JsonObject a)) {
        return path + ": expected an object, got " + actual;
      }
      for (String key : e.fieldNames()) {
        if (!a.containsKey(key)) {
          return path + "." + key + ": missing";
        }
        String m = e.getValue(key) == null ? null : mismatch(path + "." + key, e.getValue(key), a.getValue(key));
        if (m != null) {
          return m;
        }
      }
      return null;
    }
    if (expected instanceof JsonArray e) {
      if (!(actual instanceof JsonArray a)) {
        return path + ": expected a list, got " + actual;
      }
      for (int i = 0; i < e.size(); i++) {
        if (i >= a.size()) {
          return path + "[" + i + "]: missing";
        }
        String m = mismatch(path + "[" + i + "]", e.getValue(i), a.getValue(i));
        if (m != null) {
          return m;
        }
      }
      return null;
    }
    if (expected instanceof Number n && actual instanceof Number a) {
      return n.doubleValue() == a.doubleValue() ? null : path + ": " + a + ", the page says " + n;
    }
    return expected.equals(actual) ? null : path + ": " + actual + ", the page says " + expected;
  }
}
