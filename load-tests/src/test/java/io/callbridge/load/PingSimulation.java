package io.callbridge.load;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * TrackDrive's PING buyer conversion against td-ping (two Ringba RTB buyers in conf/sim.yaml):
 * varied callers, 10 % of them calling again with the same tags (the ping shield answers those).
 * Defaults: 50 pings/s for 30 s after a 5 s ramp; p99 under 500 ms, under 1 % errors.
 */
public class PingSimulation extends Simulation {
  double rate = Knobs.rate(50);
  Duration ramp = Knobs.ramp(5);
  Duration hold = Knobs.duration(30);

  {
    setUp(scenario("TrackDrive PING buyer").exec(Platform.ping(Calls.trackDriveCalls(0.10)))
        .injectOpen(Arrivals.at(rate, ramp, hold)))
        .protocols(Platform.protocol())
        .maxDuration(Arrivals.cap(ramp, hold))
        .assertions(
            global().failedRequests().percent().lt(Knobs.maxErrorPct(1.0)),
            details(Platform.PING).responseTime().percentile(99.0).lt(Knobs.p99Ms(500)));
  }
}
