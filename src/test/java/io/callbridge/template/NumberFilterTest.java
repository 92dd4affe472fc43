package io.callbridge.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The hand-written JSON number check agrees with the grammar. */
class NumberFilterTest {
  static final Pattern GRAMMAR = Pattern.compile("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?");

  @Provide
  Arbitrary<String> numberish() {
    return Arbitraries.strings().withChars("-+0123456789.eE x").ofMaxLength(12);
  }

  @Property(tries = 3000)
  void agreesWithTheGrammar(@ForAll("numberish") String s) {
    assertThat(Filter.isJsonNumber(s)).isEqualTo(GRAMMAR.matcher(s).matches());
  }
}
