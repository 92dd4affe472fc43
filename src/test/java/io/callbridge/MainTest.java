package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir
  Path dir;

  @Test
  void checkConfigPrintsEveryErrorWithItsPathAndExits1() throws Exception {
    Files.createDirectories(dir.resolve("templates"));
    Files.writeString(dir.resolve("templates/ringba-rtb-ping.yaml"), "method: POST\npath: /x\n");
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, """
        server: { port: 99999 }
        destinations:
          ringba-rtb: { baseUrl: "https://rtb.ringba.com" }
        routes:
          - name: a
            kind: ping
            auth: { token: t }
            targets: [ { destination: ringba-rtbb, template: ringba-rtb-ping } ]
        """);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Main.execute(new String[] {"check-config", file.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(1);
    assertThat(text).contains("2 error(s)")
        .contains("server.port: must be between 0 and 65535, got 99999")
        .contains("routes[0].targets[0].destination: unknown destination 'ringba-rtbb'");
  }

  @Test
  void checkConfigSummarisesAGoodFileAndExits0() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Main.execute(new String[] {"check-config", "conf/callbridge.yaml"}, new PrintStream(out, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(0);
    assertThat(text).contains("OK, 5 route(s)").contains("/v1/ping/td-ping").contains("/v1/postbacks/td-conversion");
  }
}
