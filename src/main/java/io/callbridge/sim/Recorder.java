package io.callbridge.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Every request the simulator received, newest last, bounded: past {@code capacity} the oldest go
 * (and {@code dropped} counts them). Sequence numbers never restart, not even after a clear, so
 * {@code since} works across clears. Synchronized: the server writes, tests read from their own thread.
 */
final class Recorder {
  private final int capacity;
  private final int maxBodyBytes;
  private final ArrayDeque<JsonObject> entries = new ArrayDeque<>();
  private long seq;
  private long dropped;

  Recorder(int capacity, int maxBodyBytes) {
    this.capacity = capacity;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Records an arriving request; the returned entry gets its answer later through {@link #answered}. */
  synchronized JsonObject record(Instant at, String method, String path, String query, JsonObject headers,
      String body, String endpoint, String id) {
    JsonObject e = new JsonObject()
        .put("seq", ++seq)
        .put("at", at.toString())
        .put("method", method)
        .put("path", path)
        .put("query", query == null ? "" : query)
        .put("headers", headers)
        .put("body", truncate(body))
        .put("endpoint", endpoint)
        .put("id", id);
    entries.addLast(e);
    while (entries.size() > capacity) {
      entries.removeFirst();
      dropped++;
    }
    return e;
  }

  synchronized void answered(JsonObject entry, int status, String body, String outcome, long elapsedMs) {
    entry.put("status", status).put("response", truncate(body)).put("outcome", outcome).put("elapsedMs", elapsedMs);
  }

  synchronized void outcome(JsonObject entry, String outcome) {
    entry.put("outcome", outcome);
  }

  /** Entries whose path starts with {@code pathPrefix} (empty: all) and whose seq is above {@code since}. */
  synchronized List<JsonObject> find(String pathPrefix, long since, int limit) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject e : entries) {
      if (e.getLong("seq") > since && (pathPrefix.isEmpty() || e.getString("path").startsWith(pathPrefix))) {
        out.add(e.copy());
        if (out.size() >= limit) {
          break;
        }
      }
    }
    return out;
  }

  /** Entries received at or after {@code instant}. */
  synchronized List<JsonObject> findSince(String pathPrefix, Instant instant, int limit) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject e : entries) {
      if (!Instant.parse(e.getString("at")).isBefore(instant)
          && (pathPrefix.isEmpty() || e.getString("path").startsWith(pathPrefix))) {
        out.add(e.copy());
        if (out.size() >= limit) {
          break;
        }
      }
    }
    return out;
  }

  synchronized long lastSeq() {
    return seq;
  }

  synchronized int clear() {
    int n = entries.size();
    entries.clear();
    return n;
  }

  /** A page of {@code found}; {@code next} is the {@code since} that continues after it. */
  synchronized JsonObject page(List<JsonObject> found, int limit) {
    long next = found.size() >= limit ? found.get(found.size() - 1).getLong("seq") : seq;
    return new JsonObject().put("requests", new JsonArray(new ArrayList<>(found))).put("next", next)
        .put("kept", entries.size()).put("capacity", capacity).put("dropped", dropped);
  }

  private String truncate(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= maxBodyBytes ? s : s.substring(0, maxBodyBytes) + "…(truncated)";
  }
}
