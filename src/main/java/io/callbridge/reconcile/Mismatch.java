package io.callbridge.reconcile;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;

/**
 * One call whose money differs: its {@code kind} ({@code missing_on_ringba},
 * {@code missing_on_trackdrive}, {@code amount_differs}, {@code converted_one_side},
 * {@code duplicate}, {@code not_linked}), each side's call and amounts, the money at stake, what
 * differs in words, and what CallBridge received and sent for the call (its outbox rows).
 */
public record Mismatch(String kind, String trackDriveCall, String ringbaCall, String subdomain, BigDecimal ringbaPayout,
    BigDecimal trackDriveRevenue, BigDecimal trackDrivePayout, BigDecimal ringbaRevenue, BigDecimal atStake,
    String detail, JsonArray callBridge) {

  public JsonObject toJson() {
    return new JsonObject().put("kind", kind).put("trackdriveCall", trackDriveCall).put("ringbaCall", ringbaCall)
        .put("subdomain", subdomain).put("ringbaPayout", num(ringbaPayout)).put("trackdriveRevenue", num(trackDriveRevenue))
        .put("trackdrivePayout", num(trackDrivePayout)).put("ringbaRevenue", num(ringbaRevenue))
        .put("atStake", num(atStake)).put("detail", detail).put("callbridge", callBridge);
  }

  private static String num(BigDecimal v) {
    return v == null ? null : v.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
  }
}
