package io.callbridge.load;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * One RTB buyer turns slow and another starts failing mid-run. Run it through
 * {@code load-tests/run.sh rtb-faults}: it starts the gateway with conf/gateway-faults.yaml (each
 * buyer behind its own destination and breaker) and the simulator with a generated
 * conf/sim-faults.yaml whose fault scripts let the warm-up and the first third of the held rate
 * through untouched;
 * then buyer A stops answering a share of its pings in time (hangs) and buyer B answers 500 to
 * every ping.
 *
 * <p>The report shows: "ping td-ping" still answered inside the 1 s deadline (p99 assertion) and
 * without errors (a slow or failing buyer is an outcome, never a failed ping), and the
 * "breaker ringba-rtb-b: closed/open/half-open" lines — one per second — with the breaker open
 * for most of the faulty part (assertion: it opened).
 */
public class RtbFaultsSimulation extends Simulation {
  double rate = Knobs.rate(40);
  Duration ramp = Knobs.ramp(10);
  Duration hold = Knobs.duration(40);

  {
    var calls = Calls.trackDriveCalls(0.0);
    setUp(
        Arrivals.flow("TrackDrive PING buyer", warm -> Platform.ping(calls, warm), rate, ramp, hold),
        scenario("breaker watch").exec(during(ramp.plus(hold)).on(
                Platform.breakerProbe("ringba-rtb-a").exec(Platform.breakerProbe("ringba-rtb-b")).pause(Duration.ofSeconds(1))))
            .injectOpen(io.gatling.javaapi.core.CoreDsl.atOnceUsers(1)))
        .protocols(Platform.protocol())
        .maxDuration(Arrivals.cap(ramp, hold))
        .assertions(
            details(Platform.PING).failedRequests().percent().lt(Knobs.maxErrorPct(1.0)),
            details(Platform.PING).responseTime().percentile(99.0).lt(Knobs.p99Ms(1000)),
            details(Platform.PING).responseTime().max().lt(1500),
            details("breaker ringba-rtb-b: open").allRequests().count().gt(0L));
  }
}
