package io.callbridge.load;

import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Both postback patterns at once, half the rate each: Ringba's Payout pixel carrying the
 * TrackDrive uuid (ringba-payout, 202) and TrackDrive's conversion webhook carrying the Ringba id
 * (td-conversion, 202); 15 % of them sent again a moment later, which must get 200 (the first
 * outcome) and never a second delivery. Defaults: 30 postbacks/s for 30 s after a 5 s ramp; p99
 * under 1 s (the answer waits for the PostgreSQL commit), under 1 % errors.
 */
public class PostbackSimulation extends Simulation {
  double rate = Knobs.rate(30);
  Duration ramp = Knobs.ramp(5);
  Duration hold = Knobs.duration(30);
  double duplicates = Double.parseDouble(System.getProperty("duplicateShare", "0.15"));

  {
    setUp(
        scenario("Ringba payout pixel (pattern 1)").exec(Platform.payout(Calls.postbacks(duplicates)))
            .injectOpen(Arrivals.at(rate / 2, ramp, hold)),
        scenario("TrackDrive conversion webhook (pattern 2)").exec(Platform.conversion(Calls.postbacks(duplicates)))
            .injectOpen(Arrivals.at(rate / 2, ramp, hold)))
        .protocols(Platform.protocol())
        .maxDuration(Arrivals.cap(ramp, hold))
        .assertions(
            global().failedRequests().percent().lt(Knobs.maxErrorPct(1.0)),
            global().responseTime().percentile(99.0).lt(Knobs.p99Ms(1000)));
  }
}
