package io.callbridge.bench;

import io.callbridge.template.Phones;
import io.callbridge.template.Rendering;
import io.callbridge.template.RequestTemplate;
import io.callbridge.template.Templates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Render cost of compiled templates and phone normalisation. A program with a report, not a test:
 * run {@code bin/bench-templates}. Goal: at most 2 µs per render.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TemplateBench {
  RequestTemplate url10;
  RequestTemplate jsonBody;
  Map<String, Object> fields;
  Map<String, String> vars;
  Phones phones;

  @Setup
  public void setup() {
    List<String> errors = new ArrayList<>();
    url10 = Templates.compile("url10", "url10.yaml", """
        method: GET
        path: /enrich/[publisher_number_id]
        vars: [publisher_number_id]
        query:
          callerid: "[caller_id|e164]"
          trackdrive_call_uuid: "[call_uuid]"
          trackdrive_subdomain: "[subdomain]"
          zip: "[zip]"
          state: "[state|upper]"
          city: "[city]"
          age: "[age]"
          source: "[source]{organic}"
          campaign: "[campaign|lower]"
        """, "US", errors).orElseThrow(() -> new IllegalStateException(errors.toString()));
    jsonBody = Templates.compile("json", "json.yaml", """
        method: POST
        path: /v1/production/[rtb_id].json
        vars: [rtb_id]
        body:
          json:
            CID: "[caller_id|digits11]"
            exposeCallerId: "yes"
            zipcode: "[zip]"
            state: "[state|upper]"
            payout: "[payout]"
            note: "call [call_uuid] from \\"[city]\\""
            data: { ringba_call_uuid: "[call_uuid]", age: "[age|number]" }
        """, "US", errors).orElseThrow(() -> new IllegalStateException(errors.toString()));
    fields = new HashMap<>();
    fields.put("caller_id", "(555) 777-9999");
    fields.put("call_uuid", "CA3f1c2b9e8d7a6b5c4d3e2f1a0b9c8d7e");
    fields.put("subdomain", "acme");
    fields.put("zip", "90210");
    fields.put("state", "ca");
    fields.put("city", "Beverly Hills");
    fields.put("age", "42");
    fields.put("campaign", "Summer-Promo");
    fields.put("payout", 12.5);
    vars = Map.of("publisher_number_id", "PN5f2c9a", "rtb_id", "abc123def456");
    phones = new Phones("US");
  }

  @Benchmark
  public Rendering renderUrl10Tokens() {
    return url10.render(fields, vars);
  }

  @Benchmark
  public Rendering renderJsonBody() {
    return jsonBody.render(fields, vars);
  }

  @Benchmark
  public Optional<String> phoneNanpFastPath() {
    return phones.format("(555) 777-9999", Phones.Format.E164);
  }

  @Benchmark
  public Optional<String> phoneLibphonenumber() {
    return phones.format("+44 20 7946 0958", Phones.Format.E164);
  }
}
