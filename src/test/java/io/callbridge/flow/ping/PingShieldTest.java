package io.callbridge.flow.ping;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.flow.ping.TargetResult.Result;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PingShieldTest {
  static final long NOW = 1_800_000_000_000L;
  final PingShield shield = new PingShield(100, 10, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));

  static TargetResult winner(long expiresAt) {
    Bid b = new Bid("RTB1", 4, "+17733408913", "", -1, expiresAt, NOW, false, "", 0, Map.of());
    return new TargetResult(0, "a", Result.ACCEPTED, b, "", 200, 0);
  }

  @Test
  void answersWhileTheBidHasAtLeastMinTransferSecondsLeft() {
    shield.remember("k", winner(NOW + 30_000), NOW);
    assertThat(shield.lookup("k", NOW + 20_000)).isNotNull();
    assertThat(shield.lookup("other", NOW)).isNull();
    assertThat(shield.lookup("k", NOW + 20_001)).as("less than 10 s left").isNull();
    assertThat(shield.lookup("k", NOW)).as("dropped once too old").isNull();
  }

  @Test
  void neverKeepsABidThatIsAlreadyTooShort() {
    shield.remember("short", winner(NOW + 9_000), NOW);
    assertThat(shield.lookup("short", NOW)).isNull();
    assertThat(shield.size()).isZero();
  }
}
