package io.callbridge.template;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.upstream.OutboundRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever the inbound values, a rendered JSON body parses and gives the values back; so does a query. */
class TemplatePropertiesTest {
  static final RequestTemplate JSON = compile("""
      method: POST
      path: /p/[s]
      body:
        json:
          s: "[s]"
          wrapped: "<[s]>"
          n: "[n]"
          d: "[d]"
          nested: { inner: ["[s]", "[n]"] }
      """);
  static final RequestTemplate QUERY = compile("""
      path: /q
      query:
        s: "[s]"
        wrapped: "a&[s]=b"
      """);

  static RequestTemplate compile(String yaml) {
    List<String> errors = new ArrayList<>();
    return Templates.compile("p", "p.yaml", yaml, "US", errors).orElseThrow(() -> new AssertionError(errors));
  }

  @Provide
  Arbitrary<String> anyText() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(40),
        Arbitraries.strings().withChars("\"\\/\b\f\n\r\t\u0000\u001f\u2028\u2029'<>&=?#%[]{}é😀漢").ofMaxLength(20),
        Arbitraries.strings().withCharRange('\u0000', '\u007f').ofMaxLength(40));
  }

  @Property(tries = 500)
  void jsonBodyParsesAndRoundTrips(@ForAll("anyText") String s, @ForAll long n, @ForAll double d) {
    Assume.that(!s.isBlank());
    Assume.that(Double.isFinite(d));
    OutboundRequest r = ((Rendering.Rendered) JSON.render(Map.of("s", s, "n", n, "d", d), Map.of())).request();
    JsonObject json = new JsonObject(new String(r.body(), StandardCharsets.UTF_8));
    assertThat(json.getString("s")).isEqualTo(s);
    assertThat(json.getString("wrapped")).isEqualTo("<" + s + ">");
    assertThat(((Number) json.getValue("n")).longValue()).isEqualTo(n);
    assertThat(((Number) json.getValue("d")).doubleValue()).isEqualTo(d);
    assertThat(json.getJsonObject("nested").getJsonArray("inner").getString(0)).isEqualTo(s);
    assertThat(r.uri()).startsWith("/p/").doesNotContain("?").doesNotContain("#");
    assertThat(r.uri().substring(3)).doesNotContain("/");
  }

  @Property(tries = 500)
  void queryValuesRoundTrip(@ForAll("anyText") String s) {
    Assume.that(!s.isBlank());
    Assume.that(s.codePoints().noneMatch(c -> c >= 0xD800 && c <= 0xDFFF)); // lone surrogates have no UTF-8 form
    OutboundRequest r = ((Rendering.Rendered) QUERY.render(Map.of("s", s), Map.of())).request();
    Map<String, List<String>> params = new QueryStringDecoder(r.uri(), StandardCharsets.UTF_8).parameters();
    assertThat(params.get("s")).containsExactly(s);
    assertThat(params.get("wrapped")).containsExactly("a&" + s + "=b");
    assertThat(params).containsOnlyKeys("s", "wrapped");
  }
}
