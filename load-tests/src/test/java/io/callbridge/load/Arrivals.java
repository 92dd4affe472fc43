package io.callbridge.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import java.time.Duration;
import java.util.function.Function;

/**
 * The open injection model every simulation uses: calls arrive at a rate whatever the gateway's
 * answer times (a platform does not wait for CallBridge before sending the next call). First a
 * warm-up ramp from 1/s to the rate (its requests are named "warm-up ...", so JIT compilation and
 * pool filling stay out of the figures and the assertions), then the rate held with Poisson-like
 * (randomized) arrivals.
 */
final class Arrivals {
  private Arrivals() {}

  /** A scenario that warms up for {@code ramp}, then holds {@code rate} for {@code hold}. */
  static PopulationBuilder flow(String name, Function<Boolean, ChainBuilder> chain, double rate, Duration ramp,
      Duration hold) {
    PopulationBuilder main = scenario(name).exec(chain.apply(false))
        .injectOpen(constantUsersPerSec(rate).during(hold).randomized());
    if (ramp.isZero()) {
      return main;
    }
    return scenario("warm-up " + name).exec(chain.apply(true))
        .injectOpen(rampUsersPerSec(Math.min(1, rate)).to(rate).during(ramp))
        .andThen(main);
  }

  /** Every run stops by itself: ramp + hold + this much for the last answers (and duplicates). */
  static Duration cap(Duration ramp, Duration hold) {
    return ramp.plus(hold).plusSeconds(30);
  }
}
