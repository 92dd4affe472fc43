package io.callbridge.flow.ping;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.flow.ping.TargetResult.Result;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectionTest {
  static final long NOW = 1_800_000_000_000L;

  static TargetResult bid(int i, double amount, long lifeSeconds, long latencyMs) {
    Bid b = new Bid("RTB" + i, amount, "+17733408913", "", lifeSeconds, NOW + lifeSeconds * 1000, NOW, false, "", 0,
        Map.of());
    return new TargetResult(i, "t" + i, Result.ACCEPTED, b, "", 200, latencyMs * 1_000_000);
  }

  static TargetResult rejected(int i, int code) {
    Bid b = new Bid("RTB" + i, 0, "", "", -1, -1, NOW, false, code + " - no", code, Map.of());
    return new TargetResult(i, "t" + i, Result.REJECTED, b, b.rejectReason(), 200, 1_000_000);
  }

  static TargetResult failed(int i, Result r) {
    return new TargetResult(i, "t" + i, r, null, "", 0, 1_000_000);
  }

  final Selection selection = new Selection(1.0, 10);

  @Test
  void highestLiveBidAboveTheFloorWins() {
    Selection.Outcome o = selection.select(List.of(bid(0, 3, 60, 5), bid(1, 4.2, 60, 9), bid(2, 2.5, 60, 1)), NOW);
    assertThat(o.winner().index()).isEqualTo(1);
  }

  @Test
  void tiesGoToTheEarlierAnswer() {
    Selection.Outcome o = selection.select(List.of(bid(0, 4, 60, 9), bid(1, 4, 60, 3), bid(2, 4, 60, 5)), NOW);
    assertThat(o.winner().index()).isEqualTo(1);
  }

  @Test
  void bidsWithTooLittleLifeOrBelowTheFloorLoseAndSayWhy() {
    Selection.Outcome o = selection.select(List.of(bid(0, 9, 9, 1), bid(1, 0.5, 60, 1), bid(2, 2, 10, 1)), NOW);
    assertThat(o.winner().index()).as("exactly minTransferSeconds left is enough").isEqualTo(2);
    assertThat(o.results()[0].result()).isEqualTo(Result.EXPIRED);
    assertThat(o.results()[0].detail()).contains("9s left");
    assertThat(o.results()[1].result()).isEqualTo(Result.BELOW_FLOOR);
  }

  @Test
  void reasons() {
    assertThat(selection.select(List.of(rejected(0, 1003), rejected(1, 1024)), NOW).reason())
        .isEqualTo(Selection.Reason.ALL_REJECTED);
    assertThat(selection.select(List.of(rejected(0, 1003), failed(1, Result.TIMEOUT)), NOW).reason())
        .isEqualTo(Selection.Reason.TIMEOUT);
    assertThat(selection.select(List.of(bid(0, 0.5, 60, 1), bid(1, 9, 2, 1)), NOW).reason())
        .isEqualTo(Selection.Reason.BELOW_FLOOR);
    assertThat(selection.select(List.of(bid(0, 9, 2, 1), rejected(1, 1003)), NOW).reason())
        .isEqualTo(Selection.Reason.EXPIRED);
    assertThat(selection.select(List.of(failed(0, Result.INVALID_RESPONSE), failed(1, Result.BREAKER_OPEN)), NOW)
        .reason()).isEqualTo(Selection.Reason.NO_BID);
    assertThat(selection.select(List.of(failed(0, Result.NO_BID)), NOW).reason()).isEqualTo(Selection.Reason.NO_BID);
  }

  @Test
  void lifeIsCountedAtSelectionTime() {
    TargetResult b = bid(0, 5, 15, 1);
    assertThat(selection.select(List.of(b), NOW + 4_000).accepted()).isTrue();
    assertThat(selection.select(List.of(b), NOW + 6_000).reason()).isEqualTo(Selection.Reason.EXPIRED);
  }
}
