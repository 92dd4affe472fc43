package io.callbridge.load;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * TrackDrive's PING buyer conversion against td-ping (two Ringba RTB buyers in conf/sim.yaml):
 * varied callers, 10 % of them calling again with the same tags (the ping shield answers those).
 * Defaults: 50 pings/s for 30 s after a 10 s warm-up ramp; p99 under 500 ms, under 1 % errors.
 */
public class PingSimulation extends Simulation {
  double rate = Knobs.rate(50);
  Duration ramp = Knobs.ramp(10);
  Duration hold = Knobs.duration(30);

  {
    var calls = Calls.trackDriveCalls(0.10);
    setUp(Arrivals.flow("TrackDrive PING buyer", warm -> Platform.ping(calls, warm), rate, ramp, hold))
        .protocols(Platform.protocol())
        .maxDuration(Arrivals.cap(ramp, hold))
        .assertions(
            global().failedRequests().percent().lt(Knobs.maxErrorPct(1.0)),
            details(Platform.PING).responseTime().percentile(99.0).lt(Knobs.p99Ms(500)));
  }
}
