package io.callbridge.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;

import io.gatling.javaapi.core.OpenInjectionStep;
import java.time.Duration;

/**
 * The open injection model every simulation uses: calls arrive at a rate whatever the gateway's
 * answer times (a platform does not wait for CallBridge before sending the next call), ramped up
 * from 1/s, then held with Poisson-like (randomized) arrivals.
 */
final class Arrivals {
  private Arrivals() {}

  static OpenInjectionStep[] at(double rate, Duration ramp, Duration hold) {
    if (ramp.isZero()) {
      return new OpenInjectionStep[] {constantUsersPerSec(rate).during(hold).randomized()};
    }
    return new OpenInjectionStep[] {
        rampUsersPerSec(Math.min(1, rate)).to(rate).during(ramp),
        constantUsersPerSec(rate).during(hold).randomized()};
  }

  /** Every run stops by itself: ramp + hold + this much for the last answers (and duplicates). */
  static Duration cap(Duration ramp, Duration hold) {
    return ramp.plus(hold).plusSeconds(30);
  }
}
