package io.callbridge.load;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Every flow at once, in the proportions of a pay-per-call network's day: per 100 requests,
 * 40 pings (TrackDrive asks before each buyer), 30 pre-dial enrichments, 15 Ringba Incoming
 * pixels (leads), and 15 postbacks (8 payouts, 7 conversions: only converted calls pay), 15 % of
 * the postbacks sent twice. {@code rate} is the total. Defaults: 60 requests/s for 30 s after a
 * 10 s warm-up ramp; under 1 % errors, ping p99 under 500 ms, every other flow's p99 under 1 s.
 */
public class MixedSimulation extends Simulation {
  double rate = Knobs.rate(60);
  Duration ramp = Knobs.ramp(10);
  Duration hold = Knobs.duration(30);

  {
    var pings = Calls.trackDriveCalls(0.10);
    var enrichments = Calls.trackDriveCalls(0.10);
    var leads = Calls.ringbaCalls();
    var payouts = Calls.postbacks(0.15);
    var conversions = Calls.postbacks(0.15);
    setUp(
        Arrivals.flow("ping", warm -> Platform.ping(pings, warm), rate * 0.40, ramp, hold),
        Arrivals.flow("enrich", warm -> Platform.enrich(enrichments, warm), rate * 0.30, ramp, hold),
        Arrivals.flow("lead", warm -> Platform.lead(leads, warm), rate * 0.15, ramp, hold),
        Arrivals.flow("payout", warm -> Platform.payout(payouts, warm), rate * 0.08, ramp, hold),
        Arrivals.flow("conversion", warm -> Platform.conversion(conversions, warm), rate * 0.07, ramp, hold))
        .protocols(Platform.protocol())
        .maxDuration(Arrivals.cap(ramp, hold))
        .assertions(
            global().failedRequests().percent().lt(Knobs.maxErrorPct(1.0)),
            details(Platform.PING).responseTime().percentile(99.0).lt(Knobs.p99Ms(500)),
            details(Platform.ENRICH).responseTime().percentile(99.0).lt(1000),
            details(Platform.LEAD).responseTime().percentile(99.0).lt(1000),
            details(Platform.PAYOUT).responseTime().percentile(99.0).lt(1000),
            details(Platform.CONVERSION).responseTime().percentile(99.0).lt(1000));
  }
}
