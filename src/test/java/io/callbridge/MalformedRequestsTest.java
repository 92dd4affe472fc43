package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.PostgresConfig;
import io.callbridge.sim.SimConfig;
import io.callbridge.sim.Simulator;
import io.callbridge.testing.Http;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Malformed requests, generated, at every public route and the admin port of a real gateway
 * (conf/demo.yaml against the simulators): random bytes, invalid UTF-8, huge headers, thousands of
 * parameters, deep JSON, bad chunked encoding, HTTP/1.0, pipelining, garbage methods, paths and
 * tokens. Every answer must be a 4xx (or a 2xx for what happens to be valid) whose body is JSON
 * with a reason — never a 5xx, except 505 for an HTTP version other than 1.x, which is the answer
 * HTTP defines for it — and the process stays up. The count tried is printed.
 */
class MalformedRequestsTest {
  static PostgresConfig db;
  static Vertx simVertx;
  static Simulator sim;
  static Gateway gateway;
  static final Map<String, AtomicInteger> tried = new ConcurrentHashMap<>();

  static final List<String> ROUTES = List.of("/v1/enrich/td-enrich", "/v1/ping/td-ping", "/v1/leads/ringba-lead",
      "/v1/postbacks/ringba-payout", "/v1/postbacks/td-conversion");
  static final List<String> ADMIN = List.of("/admin/postbacks", "/admin/postbacks/1", "/admin/postbacks/x%00y",
      "/admin/postbacks/replay", "/admin/postbacks/99999999999999999999/cancel", "/admin/calls/%E2%28",
      "/admin/calls/+1%20(312)%20555-0100", "/admin/audit", "/admin/nothing", "/health/ready", "/admin/postbacks?since=yesterday&limit=-4");

  @BeforeContainer
  static void start() throws Exception {
    db = TestDb.freshSchema(MalformedRequestsTest.class);
    simVertx = Vertx.vertx();
    sim = Simulator.start(simVertx, SimConfig.load(Path.of("conf/sim.yaml")), 1, 0).await();
    CallBridgeConfig parsed = TestConfigs.parse(Files.readString(Path.of("conf/demo.yaml")),
        Map.of("CALLBRIDGE_SIM_PORT", Integer.toString(sim.port())));
    CallBridgeConfig config = parsed.withServer(parsed.server().withPorts(0, 0).withAccessLog(false)).withPostgres(db);
    gateway = Gateway.start(config).await();
  }

  @AfterContainer
  static void stop() {
    int total = tried.values().stream().mapToInt(AtomicInteger::get).sum();
    System.out.println("MalformedRequestsTest: " + total + " malformed requests tried " + new java.util.TreeMap<>(tried));
    try {
      assertThat(Http.get("http://127.0.0.1:" + gateway.adminPort() + "/health/live").status())
          .as("the gateway is still up after " + total + " malformed requests").isEqualTo(200);
    } finally {
      gateway.stop().await();
      sim.close().await();
      simVertx.close().await();
      TestDb.drop(db);
    }
  }

  /** One thing to throw: its kind, whether at the admin port, and the bytes on the wire. */
  record Probe(String kind, boolean admin, byte[] bytes) {
    @Override
    public String toString() {
      String text = new String(bytes, StandardCharsets.ISO_8859_1);
      return kind + (admin ? " (admin) " : " ") + (text.length() > 300 ? text.substring(0, 300) + "…" : text);
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static Arbitrary<String> path(boolean admin) {
    Arbitrary<String> known = Arbitraries.of(admin ? ADMIN : ROUTES);
    Arbitrary<String> junk = Arbitraries.strings().withCharRange('!', '~').ofMaxLength(60).map(s -> "/" + s.replace(" ", ""));
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, known), net.jqwik.api.Tuple.of(1, junk));
  }

  static Arbitrary<String> auth(boolean admin) {
    return Arbitraries.of(admin
        ? List.of("Authorization: Bearer demo-admin\r\n", "Authorization: Bearer \r\n", "Authorization: Basic ==\r\n", "")
        : List.of("X-CallBridge-Token: demo\r\n", "X-CallBridge-Token: demo\u0000\r\n", "X-CallBridge-Token:\r\n", ""));
  }

  static Arbitrary<Probe> request(String kind, boolean admin, Arbitrary<byte[]> bodies, String contentType) {
    return Combinators.combine(Arbitraries.of("POST", "GET", "PUT", "BREW", "post"), path(admin), auth(admin), bodies)
        .as((method, path, auth, body) -> new Probe(kind, admin, concat(ascii(method + " " + path + " HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\n" + auth + "Content-Type: " + contentType + "\r\nContent-Length: " + body.length
            + "\r\nConnection: close\r\n\r\n"), body)));
  }

  @Provide
  Arbitrary<Probe> probes() {
    List<Arbitrary<Probe>> all = new ArrayList<>();
    for (boolean admin : new boolean[] {false, true}) {
      all.add(Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(2000)
          .map(b -> new Probe("random bytes", admin, b)));
      all.add(request("invalid UTF-8 body", admin, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300)
          .map(b -> concat(ascii("{\"caller_id\":\""), concat(b, ascii("\"}")))), "application/json"));
      all.add(request("form with random bytes", admin, Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
          "application/x-www-form-urlencoded"));
      all.add(request("deep JSON", admin, Arbitraries.integers().between(200, 20000)
          .map(n -> ascii("[".repeat(n) + "]".repeat(n))), "application/json"));
      all.add(request("deep JSON objects", admin, Arbitraries.integers().between(200, 5000)
          .map(n -> ascii("{\"a\":".repeat(n) + "1" + "}".repeat(n))), "application/json"));
      all.add(request("thousands of parameters", admin, Arbitraries.integers().between(1000, 6000)
          .map(n -> ascii("caller_id=%2B13125550100&" + "p=1&".repeat(n))), "application/x-www-form-urlencoded"));
      all.add(request("wrong Content-Type", admin, Arbitraries.strings().ofMaxLength(200).map(MalformedRequestsTest::ascii),
          "text/xml; charset=\u00ff"));
      all.add(Combinators.combine(path(admin), Arbitraries.integers().between(9000, 70000))
          .as((p, n) -> new Probe("huge header", admin, ascii("GET " + p + " HTTP/1.1\r\nHost: x\r\nX-Big: "
              + "a".repeat(n) + "\r\n\r\n"))));
      all.add(Combinators.combine(path(admin), Arbitraries.integers().between(100, 3000))
          .as((p, n) -> new Probe("thousands of headers", admin, ascii("GET " + p + " HTTP/1.1\r\nHost: x\r\n"
              + "X-H: v\r\n".repeat(n) + "\r\n"))));
      all.add(Combinators.combine(path(admin), Arbitraries.of("ZZ", "-1", "ffffffffffffffffff", "5\r\nabc", "0x10", ""))
          .as((p, size) -> new Probe("bad chunked encoding", admin, ascii("POST " + p + " HTTP/1.1\r\nHost: x\r\n"
              + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + size + "\r\n{}\r\n0\r\n\r\n"))));
      all.add(Combinators.combine(path(admin), auth(admin))
          .as((p, a) -> new Probe("HTTP/1.0", admin, ascii("GET " + p + " HTTP/1.0\r\n" + a + "\r\n"))));
      all.add(Combinators.combine(path(admin), Arbitraries.of("HTTP/2.0", "HTTP/0.9", "HTTP/1.7", "HTTPS/1.1", "FOO"))
          .as((p, v) -> new Probe("other version", admin, ascii("GET " + p + " " + v + "\r\nHost: x\r\n\r\n"))));
      all.add(Combinators.combine(path(admin), path(admin), auth(admin))
          .as((p1, p2, a) -> new Probe("pipelined", admin, ascii("GET " + p1 + " HTTP/1.1\r\nHost: x\r\n" + a + "\r\n"
              + "POST " + p2 + " HTTP/1.1\r\nHost: x\r\n" + a + "Content-Length: 2\r\nConnection: close\r\n\r\n{}"))));
      all.add(Combinators.combine(path(admin), Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(40))
          .as((p, junk) -> new Probe("bad request line", admin, ascii(junk + " " + p + junk + " HTTP/1.1\r\nHost: x\r\n\r\n"))));
    }
    return Arbitraries.oneOf(all);
  }

  @Property(tries = 2000)
  void noMalformedRequestGetsA5xxOrAnAnswerWithoutAReason(@ForAll("probes") Probe probe) throws Exception {
    tried.computeIfAbsent(probe.kind(), k -> new AtomicInteger()).incrementAndGet();
    int port = probe.admin() ? gateway.adminPort() : gateway.publicPort();
    List<Answer> answers = send(port, probe.bytes());
    for (Answer a : answers) {
      // 505 is HTTP's answer to a request line whose version is not HTTP/1.0 or 1.1 (random bytes read
      // as a request line often are one); it must say so.
      boolean versionRefused = a.status == 505 && a.body.contains("HTTP version");
      if (!versionRefused) {
        assertThat(a.status).as("%s answered %s", probe, a).isBetween(200, 499);
      }
      if (a.status >= 400) {
        JsonObject body;
        try {
          body = new JsonObject(a.body);
        } catch (RuntimeException e) {
          throw new AssertionError(probe + " answered a body that is not JSON: " + a, e);
        }
        assertThat(body.getString("error")).as("%s: the reason", probe).isNotBlank();
      }
    }
  }

  record Answer(int status, String body) {}

  /**
   * Writes {@code bytes}, then reads every answer until the gateway closes the connection (each probe
   * asks for that, or is one the gateway closes on). Nothing at all back is a failure only when the
   * probe was an HTTP request the gateway could have answered; the gateway may close on bytes it
   * cannot read as HTTP at all only after answering them.
   */
  static List<Answer> send(int port, byte[] bytes) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(bytes);
        out.flush();
        s.shutdownOutput();
      } catch (IOException closedEarly) {
        // The gateway answered and closed before it read everything (a 413, a 431): read that answer.
      }
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          got.write(buf, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no end to the answer within 10 s: " + got.toString(StandardCharsets.ISO_8859_1));
      } catch (IOException reset) {
        // A reset after the answer (the gateway closed with unread bytes left): what came is what counts.
      }
      return parse(got.toString(StandardCharsets.ISO_8859_1));
    }
  }

  static List<Answer> parse(String text) {
    List<Answer> out = new ArrayList<>();
    int at = 0;
    while (at < text.length()) {
      int headEnd = text.indexOf("\r\n\r\n", at);
      if (!text.startsWith("HTTP/1.", at) || headEnd < 0) {
        throw new AssertionError("not an HTTP answer: " + text.substring(at, Math.min(text.length(), at + 300)));
      }
      String head = text.substring(at, headEnd);
      int status = Integer.parseInt(head.substring(9, 12));
      int length = 0;
      boolean chunked = false;
      for (String line : head.split("\r\n")) {
        String lower = line.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      int bodyAt = headEnd + 4;
      String body;
      if (chunked) {
        StringBuilder sb = new StringBuilder();
        int p = bodyAt;
        while (true) {
          int eol = text.indexOf("\r\n", p);
          int size = Integer.parseInt(text.substring(p, eol).trim(), 16);
          p = eol + 2;
          if (size == 0) {
            p += 2;
            break;
          }
          sb.append(text, p, p + size);
          p += size + 2;
        }
        body = sb.toString();
        at = p;
      } else {
        body = text.substring(bodyAt, Math.min(text.length(), bodyAt + length));
        at = bodyAt + length;
      }
      out.add(new Answer(status, new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)));
    }
    return out;
  }
}
