package io.callbridge.load;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Ringba's Incoming pixel against ringba-lead: each call posted to TrackDrive's Leads API with the
 * offer's posting instructions. Defaults: 30 calls/s for 30 s after a 10 s warm-up ramp; p99 under 1 s,
 * under 1 % errors.
 */
public class LeadSimulation extends Simulation {
  double rate = Knobs.rate(30);
  Duration ramp = Knobs.ramp(10);
  Duration hold = Knobs.duration(30);

  {
    var calls = Calls.ringbaCalls();
    setUp(Arrivals.flow("Ringba Incoming pixel", warm -> Platform.lead(calls, warm), rate, ramp, hold))
        .protocols(Platform.protocol())
        .maxDuration(Arrivals.cap(ramp, hold))
        .assertions(
            global().failedRequests().percent().lt(Knobs.maxErrorPct(1.0)),
            details(Platform.LEAD).responseTime().percentile(99.0).lt(Knobs.p99Ms(1000)));
  }
}
