package io.callbridge.demo;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Money as each platform booked it, against what the other platform reported, to the cent. One
 * row per call: the latest amount the reporting platform sent (a correction replaces an earlier
 * one) against what the simulated receiving platform holds in its state ({@code GET /_sim/state}).
 *
 * <ul>
 *   <li>Pattern 1 (Ringba pays TrackDrive, its publisher): Ringba's payout must be TrackDrive's
 *       {@code revenue} for the call, on the call's own company; the converted flags must say what
 *       Ringba's event said; TrackDrive's {@code payout} (to its own traffic source) is untouched.</li>
 *   <li>Pattern 2 (TrackDrive pays Ringba, its traffic source): TrackDrive's payout must be Ringba's
 *       conversion revenue; an event that is no conversion must leave the call unconverted.</li>
 * </ul>
 */
public final class Money {
  public enum Pattern {
    RINGBA_TO_TRACKDRIVE("Ringba payout → TrackDrive revenue"),
    TRACKDRIVE_TO_RINGBA("TrackDrive payout → Ringba revenue");

    final String label;

    Pattern(String label) {
      this.label = label;
    }
  }

  /** What the reporting platform said for a call: the amount and whether it converted. */
  public record Reported(Pattern pattern, String call, String company, BigDecimal amount, boolean converted) {}

  /** One call's comparison; {@code problem} is empty when the books agree. */
  public record Row(Reported reported, String booked, Optional<String> problem) {
    public boolean agrees() {
      return problem.isEmpty();
    }
  }

  private final Map<String, Reported> latest = new LinkedHashMap<>();

  /** Records a report; a later one for the same call replaces it (absolute values: the latest wins). */
  public synchronized void reported(Pattern pattern, String call, String company, String amount, boolean converted) {
    latest.put(pattern + "|" + call, new Reported(pattern, call, company, new BigDecimal(amount), converted));
  }

  public synchronized List<Reported> reports() {
    return List.copyOf(latest.values());
  }

  /**
   * The reporting platform's own record of each reported call, for its reporting API: the demo plays
   * the platform that reports (Ringba's pixel, TrackDrive's webhook), so it books the call there too,
   * naming the other platform's call as that platform would — Ringba tags the TrackDrive call it got
   * ({@code trackdrive_call_uuid}), TrackDrive keeps the Ringba call in a contact field
   * ({@code ringba_call_uuid}). The receiving side is what CallBridge delivered to the simulators.
   */
  public synchronized JsonObject origins(java.time.Instant at) {
    io.vertx.core.json.JsonArray ringba = new io.vertx.core.json.JsonArray();
    io.vertx.core.json.JsonArray trackDrive = new io.vertx.core.json.JsonArray();
    for (Reported r : latest.values()) {
      if (r.pattern() == Pattern.RINGBA_TO_TRACKDRIVE) {
        ringba.add(new JsonObject().put("inboundCallId", "RGB-" + r.call()).put("callDt", at.toEpochMilli())
            .put("payoutAmount", r.amount().toPlainString()).put("conversionAmount", "0").put("hasConverted", r.converted())
            .put("trackdrive_call_uuid", r.call()));
      } else {
        trackDrive.add(new JsonObject().put("subdomain", "demo").put("uuid", "TD-" + r.call())
            .put("created_at", at.toString()).put("revenue", "0").put("payout", r.amount().toPlainString())
            .put("buyer_converted", r.converted()).put("ringba_call_uuid", r.call()));
        if (!r.converted()) {
          // Ringba's call log lists every call it routed; its simulator books one when it converts.
          ringba.add(new JsonObject().put("inboundCallId", r.call()).put("callDt", at.toEpochMilli())
              .put("payoutAmount", "0").put("conversionAmount", "0").put("hasConverted", false));
        }
      }
    }
    return new JsonObject().put("trackdrive", trackDrive).put("ringba", ringba);
  }

  /** Each reported call against {@code simState}, the simulators' books. */
  public static List<Row> compare(List<Reported> reports, JsonObject simState) {
    JsonObject calls = simState.getJsonObject("trackdrive").getJsonObject("calls");
    JsonObject conversions = simState.getJsonObject("ringba").getJsonObject("conversions");
    List<Row> rows = new ArrayList<>();
    for (Reported r : reports) {
      if (r.pattern() == Pattern.RINGBA_TO_TRACKDRIVE) {
        JsonObject call = calls.getJsonObject(r.company() + "/" + r.call());
        if (call == null) {
          rows.add(new Row(r, "nothing", Optional.of("TrackDrive has no update for this call on company '"
              + r.company() + "'")));
          continue;
        }
        Optional<BigDecimal> revenue = amount(call.getValue("revenue"));
        boolean buyer = Boolean.TRUE.equals(call.getValue("buyer_converted"));
        boolean offer = Boolean.TRUE.equals(call.getValue("offer_converted"));
        String booked = "revenue " + revenue.map(Money::cents).orElse("none") + ", converted " + buyer + "/" + offer
            + (call.containsKey("payout") ? ", payout " + call.getValue("payout") : "");
        List<String> wrong = new ArrayList<>();
        if (revenue.isEmpty() || revenue.get().compareTo(r.amount()) != 0) {
          wrong.add("revenue should be " + cents(r.amount()));
        }
        if (buyer != r.converted() || offer != r.converted()) {
          wrong.add("converted should be " + r.converted());
        }
        if (call.containsKey("payout")) {
          wrong.add("TrackDrive's payout (to its own traffic source) was overwritten");
        }
        rows.add(new Row(r, booked, wrong.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", wrong))));
      } else {
        JsonObject conversion = conversions.getJsonObject(r.call());
        Optional<BigDecimal> revenue = conversion == null ? Optional.empty() : amount(conversion.getValue("revenue"));
        String booked = conversion == null ? "no conversion" : "converted, revenue " + revenue.map(Money::cents).orElse("none");
        Optional<String> problem;
        if (!r.converted()) {
          problem = conversion == null ? Optional.empty()
              : Optional.of("a non-conversion used up the call's one conversion");
        } else if (conversion == null) {
          problem = Optional.of("Ringba never converted the call");
        } else if (revenue.isEmpty() || revenue.get().compareTo(r.amount()) != 0) {
          problem = Optional.of("revenue should be " + cents(r.amount()));
        } else {
          problem = Optional.empty();
        }
        rows.add(new Row(r, booked, problem));
      }
    }
    return rows;
  }

  /** The table, one line a call; true when every call's books agree. */
  public static boolean print(PrintStream out, List<Row> rows) {
    out.println();
    out.println("Money, per call (what one platform reported → what the other booked, to the cent)");
    for (Row row : rows) {
      Reported r = row.reported();
      out.println(String.format("  %s %-36s %-40s reported %s%s → booked %s%s", row.agrees() ? "✔" : "✘",
          r.pattern().label, r.call() + (r.company().isEmpty() ? "" : " (" + r.company() + ")"), cents(r.amount()),
          r.converted() ? " converted" : " not converted", row.booked(), row.problem().map(p -> "  ✘ " + p).orElse("")));
    }
    return rows.stream().allMatch(Row::agrees);
  }

  private static Optional<BigDecimal> amount(Object v) {
    if (v == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new BigDecimal(String.valueOf(v)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static String cents(BigDecimal b) {
    return "$" + b.setScale(2, RoundingMode.HALF_UP).toPlainString();
  }
}
