package io.callbridge.flow.ping;

import io.callbridge.config.PingSettings;
import io.callbridge.flow.ping.TargetResult.Result;
import io.callbridge.ingress.Reply;
import io.callbridge.template.JsonText;
import io.callbridge.template.RequestTemplate;
import io.callbridge.template.Rendering;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer TrackDrive's PING buyer setting reads, HTTP 200 either way. Accepted: the number to
 * transfer to (in the route's format), bid amount, duration, expiry, bid id and attributes (the
 * route's, then what the bid returned). Not accepted: the reason and what each target said.
 *
 * <p>The default answer has exactly those keys. A route's {@code answerTemplate} reshapes it: a
 * template whose JSON body is the answer (its method and path are not used), with the tokens
 * {@code [accepted] [cached] [phone_number] [bid_amount] [duration] [expires_in] [expires_at]
 * [bid_id] [target] [sip_address] [attributes] [reason] [targets]}, each attribute by its own
 * name, and the inbound fields.
 */
final class PingAnswer {
  private final PingSettings settings;
  private final RequestTemplate template;

  private final int[] conversionSeconds;

  PingAnswer(PingSettings settings, RequestTemplate template) {
    this(settings, template, new int[0]);
  }

  /** {@code conversionSeconds[i]}: target i's duration (its buyer's terms); past the array, the route's. */
  PingAnswer(PingSettings settings, RequestTemplate template, int[] conversionSeconds) {
    this.settings = settings;
    this.template = template;
    this.conversionSeconds = conversionSeconds.clone();
  }

  /**
   * The duration TrackDrive is told: the winning bid's own terms when it quotes them (a whole
   * number of seconds in {@code bidDurationField}), else its target's, else the route's.
   */
  int duration(TargetResult winner) {
    Object quoted = winner.bid().extras().get(settings.bidDurationField());
    if (quoted != null) {
      try {
        long s = new java.math.BigDecimal(String.valueOf(quoted).trim()).longValueExact();
        if (s > 0 && s <= 86_400) {
          return (int) s;
        }
      } catch (NumberFormatException | ArithmeticException e) {
        // not a whole number of seconds: the configured terms apply
      }
    }
    int i = winner.index();
    return i >= 0 && i < conversionSeconds.length ? conversionSeconds[i] : settings.conversionSeconds();
  }

  Reply accepted(PingRequest request, TargetResult winner, boolean cached, long nowMs) {
    Map<String, Object> answer = acceptedMap(winner, cached, nowMs);
    if (template == null) {
      // The hottest answer: its map written straight to bytes, no JSON objects in between.
      return Reply.encoded(200, Buffer.buffer(JsonText.write(answer)));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> attributes = (Map<String, Object>) answer.get("attributes");
    return reply(request, answer, attributes);
  }

  /** The accepted answer's keys and values, in order: what an answer template sees. */
  Map<String, Object> acceptedMap(TargetResult winner, boolean cached, long nowMs) {
    Bid bid = winner.bid();
    long expiresAt = bid.expiresAtMs();
    Map<String, Object> attributes = new LinkedHashMap<>(settings.attributes());
    attributes.putAll(bid.extras());
    Map<String, Object> answer = new LinkedHashMap<>(16);
    answer.put("accepted", true);
    answer.put("cached", cached);
    answer.put("phone_number", number(bid.phoneNumber(), settings.numberFormat()));
    answer.put("bid_amount", bid.amount());
    answer.put("duration", duration(winner));
    answer.put("expires_in", Math.max(0, (expiresAt - nowMs) / 1000));
    answer.put("expires_at", isoInstant(expiresAt));
    answer.put("bid_id", bid.bidId());
    answer.put("target", winner.target());
    if (!bid.sipAddress().isEmpty()) {
      answer.put("sip_address", bid.sipAddress());
    }
    answer.put("attributes", attributes);
    return answer;
  }

  /** Every buyer's answer, as the call's record keeps it (the winner marked). */
  static io.vertx.core.json.JsonArray targetsJson(Selection.Outcome outcome, TargetResult winner) {
    io.vertx.core.json.JsonArray out = new io.vertx.core.json.JsonArray();
    for (Object t : targets(outcome)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) t;
      io.vertx.core.json.JsonObject j = new io.vertx.core.json.JsonObject(new LinkedHashMap<>(m));
      if (winner != null && winner.target().equals(m.get("target"))) {
        j.put("winner", true).put("bid_amount", winner.bid().amount()).put("bid_id", winner.bid().bidId());
      }
      out.add(j);
    }
    return out;
  }

  Reply notAccepted(PingRequest request, Selection.Outcome outcome) {
    List<Object> targets = targets(outcome);
    Map<String, Object> answer = new LinkedHashMap<>(8);
    answer.put("accepted", false);
    answer.put("cached", false);
    answer.put("reason", outcome.reason().word);
    answer.put("targets", targets);
    return reply(request, answer, settings.attributes());
  }

  private static List<Object> targets(Selection.Outcome outcome) {
    List<Object> targets = new ArrayList<>(outcome.results().length);
    for (TargetResult r : outcome.results()) {
      Map<String, Object> t = new LinkedHashMap<>(8);
      t.put("target", r.target());
      t.put("result", r.result().word);
      if (r.bid() != null && r.bid().amount() > 0) {
        t.put("bid_amount", r.bid().amount());
      }
      if (r.result() == Result.REJECTED && r.bid().rejectCode() != 0) {
        t.put("reject_code", r.bid().rejectCode());
      }
      if (!r.detail().isEmpty()) {
        t.put("detail", r.detail());
      }
      t.put("latency_ms", r.latencyNanos() / 1_000_000);
      targets.add(t);
    }
    return targets;
  }

  private Reply reply(PingRequest request, Map<String, Object> answer, Map<String, ?> attributes) {
    if (template == null) {
      return Reply.json(200, new JsonObject(wrap(answer)));
    }
    Map<String, Object> tokens = new HashMap<>(attributes);
    tokens.putAll(answer);
    Rendering r = template.render(request.fields(), Map.of(), tokens);
    if (r instanceof Rendering.Rejected rejected) {
      // The template asks for a token this answer does not have: the operator's to fix, said plainly.
      return Reply.json(200, new JsonObject(wrap(answer)).put("answer_template_error", rejected.message()));
    }
    return Reply.json(200, ((Rendering.Rendered) r).request().body().length == 0 ? new JsonObject()
        : new JsonObject(((Rendering.Rendered) r).request().bodyText()));
  }

  /** JsonObject keeps Map/List values as they are; the default answer nests plain collections. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> wrap(Map<String, Object> answer) {
    for (Map.Entry<String, Object> e : answer.entrySet()) {
      if (e.getValue() instanceof Map<?, ?> m) {
        e.setValue(new JsonObject((Map<String, Object>) m));
      } else if (e.getValue() instanceof List<?> l) {
        e.setValue(new JsonArray((List<Object>) l));
      }
    }
    return answer;
  }

  /** The bid's number as the route's buyer setting expects it. Ringba sends E.164 ({@code +17733408913}). */
  static String number(String e164, String format) {
    String digits = e164.startsWith("+") ? e164.substring(1) : e164;
    return switch (format) {
      case "digits11" -> digits;
      case "digits10" -> digits.length() == 11 && digits.charAt(0) == '1' ? digits.substring(1) : digits;
      default -> "+" + digits;
    };
  }

  /** {@code Instant.ofEpochMilli(ms).toString()} without the formatter, for years 1970–9999. */
  static String isoInstant(long epochMs) {
    long sec = Math.floorDiv(epochMs, 1000);
    int milli = (int) Math.floorMod(epochMs, 1000);
    if (sec < 0 || sec >= 253_402_300_800L) {
      return Instant.ofEpochMilli(epochMs).toString();
    }
    LocalDateTime t = LocalDateTime.ofEpochSecond(sec, 0, ZoneOffset.UTC);
    StringBuilder b = new StringBuilder(24);
    b.append(t.getYear()).append('-');
    two(b, t.getMonthValue()).append('-');
    two(b, t.getDayOfMonth()).append('T');
    two(b, t.getHour()).append(':');
    two(b, t.getMinute()).append(':');
    two(b, t.getSecond());
    if (milli != 0) {
      b.append('.').append((char) ('0' + milli / 100)).append((char) ('0' + milli / 10 % 10))
          .append((char) ('0' + milli % 10));
    }
    return b.append('Z').toString();
  }

  private static StringBuilder two(StringBuilder b, int v) {
    return b.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
  }
}
