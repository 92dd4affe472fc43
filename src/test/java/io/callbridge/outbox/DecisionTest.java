package io.callbridge.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The delivery rules on their own: outcome classes, Retry-After bounds, jitter bounds, the count. */
class DecisionTest {
  static final long[] SVIX = {0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000};
  final Random random = new Random(42);

  static Sender.Result http(int status) {
    return Sender.Result.http(status, Optional.empty(), Optional.empty(), "");
  }

  Decision decide(Sender.Result r, int before) {
    return Decision.of(r, before, false, false, SVIX, 0.2, random);
  }

  @Test
  void aTwoHundredThatSaysNoIsDeadAndAStaleRowIsDeadWithoutAnAttempt() {
    Sender.Result ok = Sender.Result.http(200, Optional.empty(), Optional.empty(),
        "{\"status\":\"error\",\"errors\":{\"revenue\":[\"must be a decimal number\"]}}");
    assertThat(AnswerCheck.refusal("trackdrive", ok.body())).hasValueSatisfying(w -> assertThat(w)
        .contains("TrackDrive said", "must be a decimal number"));
    assertThat(AnswerCheck.refusal("trackdrive", "{\"success\":false,\"message\":\"no such call\"}"))
        .hasValue("TrackDrive said: no such call");
    assertThat(AnswerCheck.refusal("trackdrive", "{\"status\":\"success\",\"call\":{}}")).isEmpty();
    assertThat(AnswerCheck.refusal("ringba", ok.body())).as("read per platform").isEmpty();
    assertThat(AnswerCheck.refusal("trackdrive", "not json")).isEmpty();
    Decision refused = decide(Sender.Result.refusedInBody(200, "TrackDrive said: x", ok.body()), 0);
    assertThat(refused.outcome()).isEqualTo("dead");
    assertThat(refused.error()).startsWith("HTTP 200 but the answer refused it: TrackDrive said: x");
    Decision stale = decide(Sender.Result.stale(61_000), 1);
    assertThat(stale.outcome()).isEqualTo("stale");
    assertThat(stale.status()).isEqualTo("dead");
    assertThat(stale.attempts()).as("nothing was sent").isEqualTo(1);
    assertThat(stale.error()).startsWith("stale: not sent, 61s past");
  }

  @Test
  void classes() {
    assertThat(decide(http(200), 0).outcome()).isEqualTo("delivered");
    assertThat(decide(http(204), 0).outcome()).isEqualTo("delivered");
    for (int s : new int[] {408, 429, 500, 502, 503, 504}) {
      assertThat(decide(http(s), 0).outcome()).as("HTTP " + s).isEqualTo("retry");
    }
    for (int s : new int[] {301, 302, 400, 401, 403, 404, 410, 422}) {
      assertThat(decide(http(s), 0).outcome()).as("HTTP " + s).isEqualTo("dead");
    }
    assertThat(decide(Sender.Result.failure(Sender.Kind.REFUSED, "x"), 0).ambiguous()).isFalse();
    assertThat(decide(Sender.Result.failure(Sender.Kind.TIMEOUT, "x"), 0).ambiguous()).isTrue();
    assertThat(decide(Sender.Result.failure(Sender.Kind.RESET, "x"), 0).ambiguous()).isTrue();
    Decision deferred = decide(Sender.Result.failure(Sender.Kind.NOT_SENT, "breaker open"), 3);
    assertThat(deferred.outcome()).isEqualTo("deferred");
    assertThat(deferred.attempts()).as("no request, no attempt counted").isEqualTo(3);
  }

  @Test
  void a404IsReconciledOnlyOnAOncePerCallRowAfterAnAmbiguousAttempt() {
    assertThat(Decision.of(http(404), 1, true, true, SVIX, 0, random).outcome()).isEqualTo("reconciled");
    assertThat(Decision.of(http(404), 1, false, true, SVIX, 0, random).outcome()).isEqualTo("dead");
    assertThat(Decision.of(http(404), 1, true, false, SVIX, 0, random).outcome()).isEqualTo("dead");
  }

  @Test
  void retryAfterIsHonouredWithinBounds() {
    Sender.Result soon = Sender.Result.http(429, Optional.of(Duration.ofSeconds(90)), Optional.empty(), "");
    assertThat(decide(soon, 1).delay()).as("longer than the 5m schedule step? no: schedule wins")
        .isGreaterThanOrEqualTo(Duration.ofMinutes(4));
    Sender.Result late = Sender.Result.http(429, Optional.of(Duration.ofSeconds(60)), Optional.empty(), "");
    assertThat(decide(late, 0).delay()).as("over the 5s step: Retry-After wins").isEqualTo(Duration.ofSeconds(60));
    Sender.Result huge = Sender.Result.http(503, Optional.of(Duration.ofDays(3)), Optional.empty(), "");
    assertThat(decide(huge, 0).delay()).as("clamped").isEqualTo(Decision.MAX_RETRY_AFTER);
  }

  @Test
  void everyWaitFallsInsideTheJitterBounds() {
    for (int attempt = 1; attempt < SVIX.length; attempt++) {
      for (int i = 0; i < 2000; i++) {
        Duration d = decide(http(500), attempt - 1).delay();
        assertThat(d.toMillis()).isBetween(Math.round(SVIX[attempt] * 0.8), Math.round(SVIX[attempt] * 1.2));
      }
    }
  }

  @Test
  void theConfiguredCountIsTheCountThatHappens() {
    int attempts = 0;
    Decision d;
    do {
      d = decide(http(500), attempts);
      attempts = d.attempts();
    } while (d.outcome().equals("retry"));
    assertThat(d.outcome()).isEqualTo("dead");
    assertThat(attempts).isEqualTo(SVIX.length);
    Schedule s = new Schedule(List.of(Duration.ZERO, Duration.ofSeconds(5)), 0.2);
    assertThat(s.attempts()).isEqualTo(2);
    assertThat(s.delayBefore(0, random)).isZero();
  }
}
