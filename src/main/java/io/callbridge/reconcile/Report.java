package io.callbridge.reconcile;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** A run's result: the window, how many calls each side reported, every mismatch. */
public record Report(long runId, Instant from, Instant to, int trackDriveCalls, int ringbaCalls,
    List<Mismatch> mismatches) {

  public BigDecimal atStake() {
    return mismatches.stream().map(Mismatch::atStake).filter(java.util.Objects::nonNull)
        .reduce(BigDecimal.ZERO, BigDecimal::add);
  }

  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    for (int i = 0; i < mismatches.size(); i++) {
      list.add(mismatches.get(i).toJson().put("n", i + 1)); // the number a fix names it by
    }
    return new JsonObject().put("run", runId).put("from", from.toString()).put("to", to.toString())
        .put("trackdriveCalls", trackDriveCalls).put("ringbaCalls", ringbaCalls).put("mismatches", list)
        .put("atStake", atStake().setScale(2, java.math.RoundingMode.HALF_UP).toPlainString());
  }

  /** One line per mismatch, for a terminal. */
  public String toTable() {
    StringBuilder sb = new StringBuilder(String.format("reconcile %s .. %s: TrackDrive %d calls, Ringba %d calls, %d mismatch(es), $%s at stake%n",
        from, to, trackDriveCalls, ringbaCalls, mismatches.size(), atStake().setScale(2, java.math.RoundingMode.HALF_UP)));
    if (!mismatches.isEmpty()) {
      sb.append(String.format("  %-22s %-38s %-26s %9s  %s%n", "kind", "TrackDrive call", "Ringba call", "at stake", "detail"));
    }
    for (Mismatch m : mismatches) {
      sb.append(String.format("  %-22s %-38s %-26s %9s  %s (CallBridge: %s)%n", m.kind(), dash(m.trackDriveCall()),
          dash(m.ringbaCall()), m.atStake() == null ? "" : m.atStake().setScale(2, java.math.RoundingMode.HALF_UP),
          m.detail(), m.callBridge().isEmpty() ? "nothing for this call" : m.callBridge().size() + " postback(s): "
              + m.callBridge().stream().map(o -> ((JsonObject) o).getString("route") + " " + ((JsonObject) o).getString("status"))
                  .collect(java.util.stream.Collectors.joining(", "))));
    }
    return sb.toString();
  }

  /** CSV with a header line. */
  public String toCsv() {
    StringBuilder sb = new StringBuilder("kind,trackdrive_call,ringba_call,subdomain,ringba_payout,trackdrive_revenue,"
        + "trackdrive_payout,ringba_revenue,at_stake,detail\n");
    for (Mismatch m : mismatches) {
      JsonObject j = m.toJson();
      sb.append(String.join(",", csv(m.kind()), csv(m.trackDriveCall()), csv(m.ringbaCall()), csv(m.subdomain()),
          csv(j.getString("ringbaPayout")), csv(j.getString("trackdriveRevenue")), csv(j.getString("trackdrivePayout")),
          csv(j.getString("ringbaRevenue")), csv(j.getString("atStake")), csv(m.detail()))).append('\n');
    }
    return sb.toString();
  }

  private static String dash(String s) {
    return s == null ? "—" : s;
  }

  private static String csv(String s) {
    if (s == null) {
      return "";
    }
    return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
