package io.callbridge.load;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Both postback patterns at once, half the rate each: Ringba's Payout pixel carrying the
 * TrackDrive uuid (ringba-payout, 202) and TrackDrive's conversion webhook carrying the Ringba id
 * (td-conversion, 202); 15 % of them sent again a moment later, which must get 200 (the first
 * outcome) and never a second delivery. Defaults: 30 postbacks/s for 30 s after a 10 s warm-up ramp; p99
 * under 1 s (the answer waits for the PostgreSQL commit), under 1 % errors.
 */
public class PostbackSimulation extends Simulation {
  double rate = Knobs.rate(30);
  Duration ramp = Knobs.ramp(10);
  Duration hold = Knobs.duration(30);
  double duplicates = Double.parseDouble(System.getProperty("duplicateShare", "0.15"));

  {
    var payouts = Calls.postbacks(duplicates);
    var conversions = Calls.postbacks(duplicates);
    setUp(
        Arrivals.flow("Ringba payout pixel (pattern 1)", warm -> Platform.payout(payouts, warm), rate / 2, ramp, hold),
        Arrivals.flow("TrackDrive conversion webhook (pattern 2)", warm -> Platform.conversion(conversions, warm),
            rate / 2, ramp, hold))
        .protocols(Platform.protocol())
        .maxDuration(Arrivals.cap(ramp, hold))
        .assertions(
            global().failedRequests().percent().lt(Knobs.maxErrorPct(1.0)),
            details(Platform.PAYOUT).responseTime().percentile(99.0).lt(Knobs.p99Ms(1000)),
            details(Platform.CONVERSION).responseTime().percentile(99.0).lt(Knobs.p99Ms(1000)),
            details(Platform.PAYOUT_DUP).failedRequests().percent().lt(Knobs.maxErrorPct(1.0)),
            details(Platform.CONVERSION_DUP).failedRequests().percent().lt(Knobs.maxErrorPct(1.0)));
  }
}
