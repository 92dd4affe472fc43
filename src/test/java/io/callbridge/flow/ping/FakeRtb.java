package io.callbridge.flow.ping;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real local HTTP server answering Ringba RTB paths ({@code /v1/production/<id>.json}) as each
 * test scripts per RTB id: an answer body, a status, a delay. It records every request body and
 * notices when a caller cancels (the connection closes before the answer was sent).
 */
final class FakeRtb implements AutoCloseable {
  record Script(int status, String body, long delayMs) {}

  private static final AtomicInteger SEQ = new AtomicInteger();
  final Vertx vertx = Vertx.vertx();
  final Map<String, Script> scripts = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  final List<JsonObject> requests = new CopyOnWriteArrayList<>();
  final AtomicInteger cancelled = new AtomicInteger();
  final HttpServer server;

  FakeRtb() {
    server = vertx.createHttpServer().requestHandler(req -> {
      String path = req.path();
      String id = path.substring(path.lastIndexOf('/') + 1).replace(".json", "");
      hits.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      req.body().onSuccess(b -> {
        requests.add(new JsonObject().put("id", id).put("body", b.length() == 0 ? "" : b.toString()));
        Script s = scripts.getOrDefault(id, new Script(404, "{\"message\":\"no such rtb id\"}", 0));
        Runnable answer = () -> {
          if (req.response().closed()) {
            return;
          }
          req.response().setStatusCode(s.status()).putHeader("Content-Type", "application/json").end(s.body());
        };
        if (s.delayMs() > 0) {
          req.connection().closeHandler(v -> {
            if (!req.response().ended()) {
              cancelled.incrementAndGet();
            }
          });
          vertx.setTimer(s.delayMs(), t -> answer.run());
        } else {
          answer.run();
        }
      });
    }).listen(0, "127.0.0.1").await();
  }

  int port() {
    return server.actualPort();
  }

  int hits(String id) {
    AtomicInteger n = hits.get(id);
    return n == null ? 0 : n.get();
  }

  void bid(String id, double amount, int lifeSeconds) {
    scripts.put(id, new Script(200, bidJson(id, amount, lifeSeconds, System.currentTimeMillis() + lifeSeconds * 1000L,
        false).encode(), 0));
  }

  void script(String id, int status, String body, long delayMs) {
    scripts.put(id, new Script(status, body, delayMs));
  }

  void noBid(String id, int code, String name) {
    scripts.put(id, new Script(200, new JsonObject().put("bidId", "RTBnb" + id).put("bidAmount", 0)
        .put("rejectReason", code + " - " + name).encode(), 0));
  }

  /** The captured accepted shape (platforms.md section 4). */
  static JsonObject bidJson(String id, double amount, long expireIn, long epochMs, boolean cached) {
    JsonObject bid = new JsonObject()
        .put("bidId", "RTB" + id + "e983e428edc946a3863bc" + SEQ.incrementAndGet())
        .put("bidAmount", amount)
        .put("expireInSeconds", expireIn)
        .put("bidExpireDT", "8/12/2025 4:12:56 PM +00:00")
        .put("bidExpireEpoch", epochMs)
        .put("phoneNumber", "+17733408913")
        .put("phoneNumberNoPlus", "17733408913")
        .put("sipAddress", "RTB" + id + "@rtb.ringba.sip.telnyx.com");
    JsonArray warnings = new JsonArray();
    if (cached) {
      warnings.add(new JsonObject().put("code", 230)
          .put("description", "Previous bid for this request not yet expired. This is a cached version"));
    }
    return bid.put("warnings", warnings);
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
