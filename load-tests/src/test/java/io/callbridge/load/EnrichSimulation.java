package io.callbridge.load;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * TrackDrive's pre-dial webhook against td-enrich (sync: the answer waits for Ringba's IDE inside
 * the 800 ms deadline). Every call is a new TrackDrive call (a repeat would be answered from the
 * repeat window). Defaults: 50 calls/s for 30 s after a 10 s warm-up ramp; p99 under 800 ms (the route's
 * deadline), under 1 % errors.
 */
public class EnrichSimulation extends Simulation {
  double rate = Knobs.rate(50);
  Duration ramp = Knobs.ramp(10);
  Duration hold = Knobs.duration(30);

  {
    var calls = Calls.trackDriveCalls(0.10);
    setUp(Arrivals.flow("TrackDrive pre-dial enrichment", warm -> Platform.enrich(calls, warm), rate, ramp, hold))
        .protocols(Platform.protocol())
        .maxDuration(Arrivals.cap(ramp, hold))
        .assertions(
            global().failedRequests().percent().lt(Knobs.maxErrorPct(1.0)),
            details(Platform.ENRICH).responseTime().percentile(99.0).lt(Knobs.p99Ms(800)));
  }
}
