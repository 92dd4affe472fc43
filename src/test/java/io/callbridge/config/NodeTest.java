package io.callbridge.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one YAML reader, as the simulators use it: values read in place, errors with their path. */
class NodeTest {
  @Test
  void valuesAreReadInPlaceWithTheirPathInEveryError() {
    List<String> errors = new ArrayList<>();
    Node root = Node.root(Map.of("a", Map.of("d", "1.5s", "n", 3.0, "b", "yes", "list", List.of("x", 2),
        "bad", "soon", "typo", 1)), errors);
    Node a = root.get("a");
    assertThat(a.get("d").asDuration(Duration.ZERO)).isEqualTo(Duration.ofMillis(1500));
    assertThat(a.get("n").asInt(0, 0, 10)).isEqualTo(3);
    assertThat(a.get("b").asBool(false)).isTrue();
    assertThat(a.get("list").asStrings()).containsExactly("x", "2");
    assertThat(a.get("missing").text("fallback")).isEqualTo("fallback");
    assertThat(a.get("bad").asDuration(Duration.ZERO)).isEqualTo(Duration.ZERO);
    assertThat(a.get("n").asInt(0, 5, 10)).isZero();
    a.only("d", "n", "b", "list", "bad");
    assertThat(errors).containsExactly(
        "a.bad: expected a duration such as 800ms, 1.5s, 10s, 5m, 2h or 35d, got 'soon'",
        "a.n: must be between 5 and 10, got 3",
        "a.typo: unknown key (expected one of: b, bad, d, list, n)");
  }
}
