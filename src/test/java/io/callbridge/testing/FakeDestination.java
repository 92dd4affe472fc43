package io.callbridge.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real local HTTP destination for delivery tests: records every request and answers per call id
 * from a script of actions (status, Retry-After, Location, delay, reset after reading), 200 once the
 * script is used up. {@code ringbaOnce} makes it answer 404 to a second conversion for a call, as
 * Ringba's incoming webhook does.
 */
public final class FakeDestination implements AutoCloseable {
  public record Received(String method, String uri, String body, long atMillis, String callId) {}

  /** One answer: {@code status} (0 = reset the connection after reading the request), extra headers, delay. */
  public record Action(int status, Map<String, String> headers, long delayMs) {
    public static Action status(int s) {
      return new Action(s, Map.of(), 0);
    }

    public static Action reset() {
      return new Action(0, Map.of(), 0);
    }

    public static Action slow(long ms) {
      return new Action(200, Map.of(), ms);
    }
  }

  private static final Pattern CALL_ID = Pattern.compile("(?:update_call/|call_id=)([^/?&]+)");

  private final Vertx vertx;
  private final HttpServer server;
  public final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, ConcurrentLinkedQueue<Action>> scripts = new ConcurrentHashMap<>();
  private final Map<String, Boolean> converted = new ConcurrentHashMap<>();
  private volatile boolean ringbaOnce;
  private volatile Function<String, Action> fallback = id -> Action.status(200);

  private FakeDestination(Vertx vertx) {
    this.vertx = vertx;
    this.server = vertx.createHttpServer().requestHandler(this::handle);
  }

  public static FakeDestination start() {
    FakeDestination d = new FakeDestination(Vertx.vertx());
    d.server.listen(0, "127.0.0.1").await();
    return d;
  }

  public int port() {
    return server.actualPort();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  public FakeDestination script(String callId, Action... actions) {
    scripts.computeIfAbsent(callId, k -> new ConcurrentLinkedQueue<>()).addAll(List.of(actions));
    return this;
  }

  public void ringbaOnce(boolean on) {
    ringbaOnce = on;
  }

  public void fallback(Function<String, Action> f) {
    fallback = f;
  }

  public List<Received> forCall(String callId) {
    return received.stream().filter(r -> callId.equals(r.callId())).toList();
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      Matcher m = CALL_ID.matcher(req.uri());
      String callId = m.find() ? m.group(1) : "";
      received.add(new Received(req.method().name(), req.uri(), body.toString(), System.currentTimeMillis(), callId));
      ConcurrentLinkedQueue<Action> script = scripts.get(callId);
      Action a = script == null ? null : script.poll();
      if (a == null) {
        a = fallback.apply(callId);
      }
      if (ringbaOnce && req.uri().contains("call_id=")) {
        // Ringba counts the conversion when it receives it, whatever happens to the answer.
        Boolean before = converted.putIfAbsent(callId, true);
        if (before != null && a.status() != 0) {
          a = Action.status(404);
        }
      }
      Action action = a;
      Runnable answer = () -> {
        if (action.status() == 0) {
          req.connection().close();
          return;
        }
        var resp = req.response().setStatusCode(action.status());
        action.headers().forEach(resp::putHeader);
        resp.end(Buffer.buffer("{\"ok\":" + (action.status() < 300) + "}"));
      };
      if (action.delayMs() > 0) {
        vertx.setTimer(action.delayMs(), t -> answer.run());
      } else {
        answer.run();
      }
    });
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
