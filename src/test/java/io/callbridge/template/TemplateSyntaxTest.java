package io.callbridge.template;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.upstream.OutboundRequest;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Token syntax, filters, defaults, JSON typing, and compile errors with file:line:column. */
class TemplateSyntaxTest {

  static RequestTemplate compile(String yaml) {
    List<String> errors = new ArrayList<>();
    RequestTemplate t = Templates.compile("t", "t.yaml", yaml, "US", errors).orElse(null);
    assertThat(errors).isEmpty();
    return t;
  }

  static List<String> errors(String yaml) {
    List<String> errors = new ArrayList<>();
    assertThat(Templates.compile("t", "t.yaml", yaml, "US", errors)).isEmpty();
    return errors;
  }

  static OutboundRequest render(RequestTemplate t, Map<String, ?> fields) {
    Rendering r = t.render(fields, Map.of());
    assertThat(r).isInstanceOf(Rendering.Rendered.class);
    return ((Rendering.Rendered) r).request();
  }

  @Test
  void defaultsFiltersAndLiteralBrackets() {
    RequestTemplate t = compile("""
        path: /x/[[literal]/[a]{none}
        query:
          up: "[b|upper]"
          low: "[b|lower|trim]"
          d10: "[p|digits10]"
          d11: "[p|digits11]"
          e: "[p|e164]"
          digits: "[p|digits]"
          fallback: "[p2|e164]{unknown}"
          mixed: "id-[a]{0}-x"
          space: "a b&c=d"
        """);
    OutboundRequest r = render(t, Map.of("b", " MiXed ", "p", "555.777.9999", "p2", "nope"));
    assertThat(r.uri()).isEqualTo("/x/[literal]/none?up=%20MIXED%20&low=mixed&d10=5557779999&d11=15557779999"
        + "&e=%2B15557779999&digits=5557779999&fallback=unknown&mixed=id-0-x&space=a%20b%26c%3Dd");
  }

  @Test
  void jsonBodyKeepsTypesAndEscapes() {
    RequestTemplate t = compile("""
        method: POST
        path: /j
        optional: [gone]
        body:
          json:
            n: "[n]"
            s: "[s]"
            text: "say [s]!"
            asNumber: "[ns|number]"
            asBool: "[flag|bool]"
            nested: "[obj]"
            raw: "[obj|json]"
            constInt: 3
            constBool: true
            constNull: null
            gone: "[gone]"
            list: ["[n]", "[gone]", "x"]
            def: "[missing|number]{0}"
        """);
    OutboundRequest r = render(t, Map.of("n", 12.5, "s", "he said \"hi\"\n\u0001é😀", "ns", "42", "flag", "yes",
        "obj", Map.of("a", List.of(1, 2))));
    JsonObject json = new JsonObject(r.bodyText());
    assertThat(json.getValue("n")).isEqualTo(12.5);
    assertThat(json.getString("s")).isEqualTo("he said \"hi\"\n\u0001é😀");
    assertThat(json.getString("text")).isEqualTo("say he said \"hi\"\n\u0001é😀!");
    assertThat(json.getValue("asNumber")).isEqualTo(42);
    assertThat(json.getValue("asBool")).isEqualTo(true);
    assertThat(json.getJsonObject("nested").getJsonArray("a").getList()).containsExactly(1, 2);
    assertThat(json.getJsonObject("raw")).isEqualTo(json.getJsonObject("nested"));
    assertThat(json.getValue("constInt")).isEqualTo(3);
    assertThat(json.getValue("constBool")).isEqualTo(true);
    assertThat(json.containsKey("constNull")).isTrue();
    assertThat(json.containsKey("gone")).isFalse();
    assertThat(json.getJsonArray("list").getList()).containsExactly(12.5, "x");
    assertThat(json.getValue("def")).isEqualTo(0);
    assertThat(t.tokens()).contains("n", "s", "ns", "flag", "obj", "gone", "missing");
  }

  @Test
  void formBodyAndHeaders() {
    RequestTemplate t = compile("""
        method: POST
        path: /f
        headers:
          X-Call: "[call]"
        body:
          form:
            caller: "[p|e164]"
            note: "a&b"
        """);
    OutboundRequest r = render(t, Map.of("p", "5557779999", "call", "c-1"));
    assertThat(r.contentType()).isEqualTo("application/x-www-form-urlencoded");
    assertThat(r.bodyText()).isEqualTo("caller=%2B15557779999&note=a%26b");
    assertThat(r.headers()).containsEntry("X-Call", "c-1");
    Rendering injected = t.render(Map.of("p", "5557779999", "call", "c\r\nX-Evil: 1"), Map.of());
    assertThat(injected).isEqualTo(new Rendering.Rejected("t", "call", "contains a line break", false));
  }

  @Test
  void compileErrorsNameFileLineAndColumn() {
    assertThat(errors("""
        path: /x
        query:
          a: "[caller_id|e165]"
        """)).containsExactly("t.yaml:3:18: unknown filter 'e165' in [caller_id|e165] (known: e164, digits11, "
        + "digits10, digits, upper, lower, trim, number, bool, json)");
    assertThat(errors("""
        path: /x/[id
        """)).containsExactly("t.yaml:1:10: unterminated token: '[' without ']' (write [[ for a literal '[')");
    assertThat(errors("""
        path: /x/[bad name]
        """)).singleElement().asString().startsWith("t.yaml:1:11: invalid token name 'bad name'");
    assertThat(errors("""
        path: /x
        methd: POST
        """)).singleElement().asString().startsWith("t.yaml:2:1: unknown key 'methd'");
    assertThat(errors("""
        method: GET
        path: /x
        body:
          json: { a: 1 }
        """)).singleElement().asString().startsWith("t.yaml:4:3: a GET request carries no body");
    assertThat(errors("path: https://evil.example/x\n")).singleElement().asString()
        .startsWith("t.yaml:1:7: path must start with a single '/'");
    assertThat(errors("path: /x?a=1\n")).singleElement().asString().contains("query:");
    assertThat(errors("path: /x\nheaders: { Host: evil }\n")).singleElement().asString()
        .startsWith("t.yaml:2:12: header Host is set by CallBridge");
    assertThat(errors("path: /x\nvars: [nope]\n")).singleElement().asString()
        .isEqualTo("t.yaml: vars: 'nope' is not used as a token in this template");
    assertThat(errors("path: /x\nquery: {a: [1\n")).singleElement().asString().startsWith("t.yaml:3:1:");
    assertThat(errors("method: POST\npath: /x\nbody: { json: { n: .inf } }\n")).singleElement().asString()
        .startsWith("t.yaml:3:20: '.inf' is not a JSON number");
  }
}
