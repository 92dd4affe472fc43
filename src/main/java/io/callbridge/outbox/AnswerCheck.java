package io.callbridge.outbox;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * Reads a 2xx answer's body for a refusal, per destination platform. TrackDrive's API can answer
 * HTTP 200 with {@code {"status":"error","errors":{…}}} or {@code "success":false} (its answers carry
 * {@code status}/{@code success} beside the record; trackdrive.com/api/docs/1.0): such a request was
 * not taken, so the row is not {@code delivered}. Ringba's webhook answers by status code alone.
 */
final class AnswerCheck {
  private AnswerCheck() {}

  /** The destination's own words when a 2xx {@code body} refused the request; empty when it took it. */
  static Optional<String> refusal(String platform, String body) {
    if (!"trackdrive".equals(platform) || body == null || body.isBlank() || body.trim().charAt(0) != '{') {
      return Optional.empty();
    }
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (DecodeException e) {
      return Optional.empty();
    }
    Object status = json.getValue("status");
    Object success = json.getValue("success");
    boolean error = status != null && "error".equalsIgnoreCase(String.valueOf(status))
        || success != null && "false".equalsIgnoreCase(String.valueOf(success));
    if (!error) {
      return Optional.empty();
    }
    Object why = json.getValue("errors");
    if (why == null || String.valueOf(why).isBlank()) {
      why = json.getValue("message", json.getValue("error", "no error text given"));
    }
    String text = String.valueOf(why);
    return Optional.of("TrackDrive said: " + (text.length() > 500 ? text.substring(0, 500) + "…" : text));
  }

  /** {@code sender} with each 2xx answer of a destination read for a refusal. */
  static Sender checking(Sender sender, java.util.function.Function<String, String> platformOf) {
    return (request, timeout) -> sender.send(request, timeout).map(r -> {
      if (r.kind() != Sender.Kind.HTTP || r.status() < 200 || r.status() >= 300) {
        return r;
      }
      return refusal(platformOf.apply(request.destination()), r.body())
          .map(why -> Sender.Result.refusedInBody(r.status(), why, r.body())).orElse(r);
    });
  }
}
