package io.callbridge.flow.ping;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.PingSettings;
import org.junit.jupiter.api.Test;

class PingInputTest {
  final PingInput us = new PingInput("r", java.util.List.of(), PingSettings.DEFAULT_SHIELD_IGNORE,
      new io.callbridge.template.Phones("US"), true);

  @Test
  void callerIdsNormaliseToE164() {
    assertThat(us.e164("+15557779999")).isEqualTo("+15557779999");
    assertThat(us.e164("15557779999")).isEqualTo("+15557779999");
    assertThat(us.e164("5557779999")).isEqualTo("+15557779999");
    assertThat(us.e164("(555) 777-9999")).isEqualTo("+15557779999");
    assertThat(us.e164("555.777.9999")).isEqualTo("+15557779999");
    assertThat(us.e164("+442079460958")).isEqualTo("+442079460958");
    assertThat(us.e164("0557779999")).isNull();
    assertThat(us.e164("+15550857941")).as("NANP exchange starts with 2-9").isNull();
    assertThat(us.e164("555777999")).isNull();
    assertThat(us.e164("anonymous")).isNull();
    assertThat(us.e164("")).isNull();
  }
}
