package io.callbridge.load;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Ringba's ring tree against ringba-ring-tree (TrackDrive's inbound webhook in conf/sim.yaml):
 * each new Ringba call pings, then accepts the bid it got (TrackDrive's post step). Defaults: 50
 * calls/s for 30 s after a 10 s warm-up ramp; p99 of each step under 500 ms, under 1 % errors.
 */
public class RingTreeSimulation extends Simulation {
  double rate = Knobs.rate(50);
  Duration ramp = Knobs.ramp(10);
  Duration hold = Knobs.duration(30);

  {
    var calls = Calls.ringbaCalls();
    setUp(Arrivals.flow("Ringba ring tree", warm -> Platform.ringTree(calls, warm), rate, ramp, hold))
        .protocols(Platform.protocol())
        .maxDuration(Arrivals.cap(ramp, hold))
        .assertions(
            global().failedRequests().percent().lt(Knobs.maxErrorPct(1.0)),
            details(Platform.RING_TREE_PING).responseTime().percentile(99.0).lt(Knobs.p99Ms(500)),
            details(Platform.RING_TREE_ACCEPT).responseTime().percentile(99.0).lt(Knobs.p99Ms(500)));
  }
}
