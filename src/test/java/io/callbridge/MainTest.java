package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
    int code = Main.execute(new String[] {"check-config", file.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err, Map.of());
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(1);
    assertThat(text).contains("2 error(s)")
        .contains("server.port: must be between 0 and 65535, got 99999")
        .contains("routes[0].targets[0].destination: unknown destination 'ringba-rtbb'");
  }

  /** Every variable conf/callbridge.yaml reads, with a plausible production value. */
  static final Map<String, String> LIVE_ENV = Map.of(
      "CALLBRIDGE_ADMIN_TOKEN", "a1b2c3d4e5f6a7b8c9d0e1f2a3b4",
      "CALLBRIDGE_TD_SUBDOMAIN", "acme",
      "CALLBRIDGE_TD_BASIC_AUTH", java.util.Base64.getEncoder().encodeToString("pub123:priv456".getBytes()),
      "CALLBRIDGE_TD_TOKEN", "td-token-0123456789abcdef",
      "CALLBRIDGE_RINGBA_TOKEN", "rb-token-0123456789abcdef",
      "CALLBRIDGE_RINGBA_PUBLISHER_NUMBER_ID", "PN123",
      "CALLBRIDGE_RINGBA_RTB_ID", "RTB456",
      "CALLBRIDGE_RINGBA_WEBHOOK_ID", "WH789",
      "CALLBRIDGE_TD_LEAD_TOKEN", "lt-0a1b2c",
      "CALLBRIDGE_TD_TRAFFIC_SOURCE_ID", "1234");

  record Run(int code, String out, String err) {}

  static Run main(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void checkConfigOnTheProductionFileWithEverythingSetIsReadyToGoLive() {
    Run r = main(LIVE_ENV, "check-config", "conf/callbridge.yaml");
    assertThat(r.code()).as(r.out()).isEqualTo(0);
    assertThat(r.out()).contains("OK, ready to go live, 5 route(s)").contains("/v1/ping/td-ping")
        .contains("/v1/postbacks/td-conversion");
  }

  @Test
  void checkConfigOnTheProductionFileWithNothingSetNamesEveryVariableToSet() {
    Run r = main(Map.of(), "check-config", "conf/callbridge.yaml");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("not ready to go live")
        .contains("routes[0].auth.token: CALLBRIDGE_TD_TOKEN is not set")
        .contains("routes[2].postingInstructions.leadToken: 'unset' is a placeholder (CALLBRIDGE_TD_LEAD_TOKEN")
        .contains("destinations.trackdrive.baseUrl: 'yourcompany' is a placeholder (CALLBRIDGE_TD_SUBDOMAIN")
        .contains("destinations.trackdrive.headers.Authorization: CALLBRIDGE_TD_BASIC_AUTH is not set")
        .contains("routes[1].targets[0].vars.rtb_id: CALLBRIDGE_RINGBA_RTB_ID is not set")
        .contains("server.adminToken: CALLBRIDGE_ADMIN_TOKEN is not set");
    assertThat(main(Map.of(), "check-config", "conf/callbridge.yaml", "--lenient").code()).isZero();
  }

  @Test
  void strictIsOptInForOtherFilesAndFindsLiteralPlaceholdersAndEmptyIds() throws Exception {
    Path file = dir.resolve("staging.yaml");
    Files.writeString(file, """
        destinations:
          rtb: { baseUrl: "https://rtb.ringba.com" }
        routes:
          - name: p
            kind: ping
            auth: { token: changeme }
            targets: [ { destination: rtb, template: ringba-rtb-ping, vars: { rtb_id: "" } } ]
        """);
    assertThat(main(Map.of(), "check-config", file.toString()).code()).isZero();
    Run strict = main(Map.of(), "check-config", file.toString(), "--strict");
    assertThat(strict.code()).isEqualTo(1);
    assertThat(strict.out()).contains("routes[0].auth.token: 'changeme' is a placeholder")
        .contains("routes[0].targets[0].vars.rtb_id: empty");
  }

  @Test
  void basicCredentialsThatAreNotBase64OfPublicColonPrivateAreAnErrorWithWhatToDo() throws Exception {
    Map<String, String> env = new java.util.HashMap<>(LIVE_ENV);
    env.put("CALLBRIDGE_TD_BASIC_AUTH", "pub123:priv456"); // pasted without encoding
    Run raw = main(env, "check-config", "conf/callbridge.yaml");
    assertThat(raw.code()).isEqualTo(1);
    assertThat(raw.out()).contains("destinations.trackdrive.headers.Authorization: the Basic credentials are not base64")
        .contains("base64 -w0");
    env.put("CALLBRIDGE_TD_BASIC_AUTH", java.util.Base64.getEncoder().encodeToString("justonekey".getBytes()));
    assertThat(main(env, "check-config", "conf/callbridge.yaml").out())
        .contains("are base64, but not of public_key:private_key");
  }

  @Test
  void postingInstructionsPastedAsOneUrlSayHowToSplitThem() throws Exception {
    Path file = dir.resolve("callbridge.yaml");
    Files.writeString(file, Files.readString(Path.of("conf/callbridge.yaml")).replace(
        "endpointUrl: https://${CALLBRIDGE_TD_SUBDOMAIN:-yourcompany}.trackdrive.com/api/v1/leads",
        "endpointUrl: https://acme.trackdrive.com/api/v1/leads?lead_token=lt-0a1b2c&traffic_source_id=1234"));
    Run r = main(LIVE_ENV, "check-config", file.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("routes[2].postingInstructions.endpointUrl:")
        .contains("carries the posting instructions in its query")
        .contains("postingInstructions.leadToken").contains("postingInstructions.trafficSourceId");
  }

  @Test
  void aCopiedCallbridgeYamlAloneUsesTheShippedTemplates() throws Exception {
    Path file = dir.resolve("callbridge.yaml");
    Files.copy(Path.of("conf/callbridge.yaml"), file); // no templates folder beside it
    Run r = main(LIVE_ENV, "check-config", file.toString());
    assertThat(r.code()).as(r.out()).isZero();
    Files.writeString(file, Files.readString(file).replace("template: trackdrive-lead", "template: trackdrive-leed"));
    assertThat(main(LIVE_ENV, "check-config", file.toString()).out())
        .contains("unknown template 'trackdrive-leed'").contains("no template of that name ships with CallBridge");
  }

  @Test
  void everyCommandHasHelpAndRefusesWhatItDoesNotKnowWithExit2() {
    for (String command : new String[] {"run", "check-config", "sim", "demo", "reconcile"}) {
      Run help = main(Map.of(), command, "--help");
      assertThat(help.code()).as(command).isZero();
      assertThat(help.out()).as(command).startsWith("usage: callbridge " + command);
      Run bad = main(Map.of(), command, "--no-such-flag");
      assertThat(bad.code()).as(command).isEqualTo(2);
      assertThat(bad.err()).as(command).contains("unknown option '--no-such-flag'").contains("usage: callbridge " + command);
    }
    assertThat(main(Map.of(), "run", "extra").err()).contains("unexpected argument 'extra'");
    assertThat(main(Map.of(), "sim", "--port", "x").err()).contains("--port must be a whole number, got 'x'");
    assertThat(main(Map.of(), "sim", "--port").err()).contains("--port needs a value");
    assertThat(main(Map.of(), "frobnicate").code()).isEqualTo(2);
    assertThat(main(Map.of()).code()).isEqualTo(2);
  }

  @Test
  void theShellCommandRefusesAnUnknownFlagBeforeBuildingOrStartingAnything() throws Exception {
    for (String[] args : new String[][] {{"run", "--nope"}, {"demo", "--fast"}, {"db", "extra"}, {"test", "--x"}}) {
      Process p = new ProcessBuilder(java.util.stream.Stream.concat(java.util.stream.Stream.of("bin/callbridge"),
          java.util.Arrays.stream(args)).toList()).redirectErrorStream(true).start();
      String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(String.join(" ", args) + ": " + said).isEqualTo(2);
      assertThat(said).contains("callbridge " + args[0] + ":").contains("usage:").doesNotContain("building");
    }
  }
}
