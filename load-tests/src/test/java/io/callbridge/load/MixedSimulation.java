package io.callbridge.load;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Every flow at once, in the proportions of a pay-per-call network's day: per 100 requests,
 * 40 pings (TrackDrive asks before each buyer), 30 pre-dial enrichments, 15 Ringba Incoming
 * pixels (leads), and 15 postbacks (8 payouts, 7 conversions: only converted calls pay), 15 % of
 * the postbacks sent twice. {@code rate} is the total. Defaults: 60 requests/s for 30 s after a
 * 5 s ramp; under 1 % errors, ping p99 under 500 ms, all requests' p99 under 1 s.
 */
public class MixedSimulation extends Simulation {
  double rate = Knobs.rate(60);
  Duration ramp = Knobs.ramp(5);
  Duration hold = Knobs.duration(30);

  {
    setUp(
        scenario("ping").exec(Platform.ping(Calls.trackDriveCalls(0.10)))
            .injectOpen(Arrivals.at(rate * 0.40, ramp, hold)),
        scenario("enrich").exec(Platform.enrich(Calls.trackDriveCalls(0.10)))
            .injectOpen(Arrivals.at(rate * 0.30, ramp, hold)),
        scenario("lead").exec(Platform.lead(Calls.ringbaCalls()))
            .injectOpen(Arrivals.at(rate * 0.15, ramp, hold)),
        scenario("payout").exec(Platform.payout(Calls.postbacks(0.15)))
            .injectOpen(Arrivals.at(rate * 0.08, ramp, hold)),
        scenario("conversion").exec(Platform.conversion(Calls.postbacks(0.15)))
            .injectOpen(Arrivals.at(rate * 0.07, ramp, hold)))
        .protocols(Platform.protocol())
        .maxDuration(Arrivals.cap(ramp, hold))
        .assertions(
            global().failedRequests().percent().lt(Knobs.maxErrorPct(1.0)),
            details(Platform.PING).responseTime().percentile(99.0).lt(Knobs.p99Ms(500)),
            global().responseTime().percentile(99.0).lt(1000));
  }
}
