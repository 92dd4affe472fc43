package io.callbridge.sim;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One simulated request: its merged parameters, its recorder entry, and the one answer it gets. */
final class SimRequest {
  final RoutingContext ctx;
  final JsonObject entry;
  final Recorder recorder;
  final long startNanos;
  final SimConfig.Behaviour behaviour;
  final Dice.Draw draw;
  private JsonObject params;

  SimRequest(RoutingContext ctx, JsonObject entry, Recorder recorder, long startNanos, SimConfig.Behaviour behaviour,
      Dice.Draw draw) {
    this.ctx = ctx;
    this.entry = entry;
    this.recorder = recorder;
    this.startNanos = startNanos;
    this.behaviour = behaviour;
    this.draw = draw;
  }

  String pathParam(String name) {
    return ctx.pathParam(name);
  }

  String header(String name) {
    return ctx.request().getHeader(name);
  }

  /** Query parameters, then the JSON or form body over them (JSON keeps types and nesting; form {@code a[b]} nests). */
  JsonObject params() {
    if (params != null) {
      return params;
    }
    JsonObject p = new JsonObject();
    ctx.queryParams().forEach(e -> putFlat(p, e.getKey(), e.getValue()));
    Buffer body = ctx.body().buffer();
    if (body != null && body.length() > 0) {
      String type = String.valueOf(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
      String text = body.toString(StandardCharsets.UTF_8).trim();
      if (type.contains("json") || text.startsWith("{")) {
        try {
          new JsonObject(text).forEach(e -> p.put(e.getKey(), e.getValue()));
        } catch (DecodeException e) {
          p.put("_unparsable_body", true);
        }
      } else {
        for (String pair : text.split("&")) {
          if (pair.isEmpty()) {
            continue;
          }
          int eq = pair.indexOf('=');
          String k = decode(eq < 0 ? pair : pair.substring(0, eq));
          String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
          putFlat(p, k, v);
        }
      }
    }
    params = p;
    return p;
  }

  /** A parameter as trimmed text, or null when absent or blank. */
  String text(String name) {
    Object v = params().getValue(name);
    if (v == null) {
      return null;
    }
    String s = String.valueOf(v).trim();
    return s.isEmpty() ? null : s;
  }

  void reply(int status, JsonObject body, String outcome) {
    reply(status, body, outcome, Map.of());
  }

  void reply(int status, JsonObject body, String outcome, Map<String, String> headers) {
    HttpServerResponse response = ctx.response();
    String text = body.encode();
    recorder.answered(entry, status, text, outcome, (System.nanoTime() - startNanos) / 1_000_000);
    if (response.closed() || response.ended()) {
      return;
    }
    headers.forEach(response::putHeader);
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8").end(text);
  }

  static JsonObject headersOf(MultiMap headers) {
    JsonObject out = new JsonObject();
    headers.forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  private static void putFlat(JsonObject p, String key, String value) {
    int open = key.indexOf('[');
    if (open > 0 && key.endsWith("]")) {
      String outer = key.substring(0, open);
      String inner = key.substring(open + 1, key.length() - 1);
      Object nested = p.getValue(outer);
      JsonObject obj = nested instanceof JsonObject j ? j : new JsonObject();
      obj.put(inner, value);
      p.put(outer, obj);
    } else if (!p.containsKey(key)) {
      p.put(key, value);
    }
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
