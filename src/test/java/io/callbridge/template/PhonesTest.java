package io.callbridge.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The caller-id shapes the platforms drift between, and what is not a phone number. */
class PhonesTest {
  static final Phones US = new Phones("US");

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      // input                | e164          | digits11     | digits10
      "+15557779999           | +15557779999  | 15557779999  | 5557779999",
      "15557779999            | +15557779999  | 15557779999  | 5557779999",
      "5557779999             | +15557779999  | 15557779999  | 5557779999",
      "(555) 777-9999         | +15557779999  | 15557779999  | 5557779999",
      "555.777.9999           | +15557779999  | 15557779999  | 5557779999",
      "+1 (555) 777-9999      | +15557779999  | 15557779999  | 5557779999",
      "1-555-777-9999         | +15557779999  | 15557779999  | 5557779999",
      "' 555 777 9999 '       | +15557779999  | 15557779999  | 5557779999",
      "tel:+1-800-450-6787    | +18004506787  | 18004506787  | 8004506787",
      "555-777-9999 ext. 12   | +15557779999  | 15557779999  | 5557779999",
      "+44 20 7946 0958       | +442079460958 | 442079460958 | 2079460958",
      "12345                  | -             | -            | -",
      "555777999              | -             | -            | -",
      "155577799990           | -             | -            | -",
      "25557779999            | -             | -            | -",
      "0557779999             | -             | -            | -",
      "1557779999             | -             | -            | -",
      "5550779999             | -             | -            | -",
      "+1 055 777 9999        | -             | -            | -",
      "abc                    | -             | -            | -",
      "555-CALL-NOW           | +15552255669  | 15552255669  | 5552255669",
      "''                     | -             | -            | -",
  })
  void formats(String input, String e164, String digits11, String digits10) {
    assertThat(US.format(input, Phones.Format.E164)).isEqualTo(Optional.ofNullable(e164));
    assertThat(US.format(input, Phones.Format.DIGITS11)).isEqualTo(Optional.ofNullable(digits11));
    assertThat(US.format(input, Phones.Format.DIGITS10)).isEqualTo(Optional.ofNullable(digits10));
  }

  @ParameterizedTest
  @CsvSource({"020 7946 0958, +442079460958", "+15557779999, +15557779999", "5557779999, +445557779999", "12, -"})
  void defaultRegionReadsNationalNumbers(String input, String e164) {
    Phones gb = new Phones("GB");
    assertThat(gb.format(input, Phones.Format.E164)).isEqualTo(Optional.ofNullable(e164.equals("-") ? null : e164));
  }

  @Provide
  Arbitrary<String> phoneLike() {
    return Arbitraries.strings().withChars("0123456789+-(). ").ofMinLength(7).ofMaxLength(18);
  }

  @org.junit.jupiter.api.Test
  void digitsAfterNorthAmericasInternationalPrefixAreReadAsLibphonenumberReadsThem() {
    // Found by the property below (jqwik seed -7778171601256351082): 011 dials out of North America.
    assertThat(US.e164("0112700000")).isEqualTo(US.slowE164("0112700000"));
  }

  /** The North American fast path must agree with libphonenumber on everything it accepts or refuses. */
  @Property(tries = 2000)
  void fastPathAgreesWithLibphonenumber(@ForAll("phoneLike") String raw) {
    assertThat(US.e164(raw)).isEqualTo(US.slowE164(raw));
  }
}
