package io.callbridge.flow.ping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class BidParserTest {
  static final String CAPTURED = """
      {"bidId":"RTBe983e428edc946a3863bcc912b828927","bidAmount":4.2,"expireInSeconds":39,
       "bidExpireDT":"8/12/2025 4:12:56 PM +00:00","bidExpireEpoch":1755015176448,
       "phoneNumber":"+17733408913","phoneNumberNoPlus":"17733408913",
       "sipAddress":"RTBe983e@rtb.ringba.sip.telnyx.com",
       "warnings":[{"code":230,"description":"Previous bid for this request not yet expired. This is a cached version"}]}
      """;

  static Bid parse(String json) throws BidParser.Invalid {
    return BidParser.parse(Buffer.buffer(json), 1_755_015_150_000L);
  }

  @Test
  void theCapturedAcceptedBid() throws Exception {
    Bid b = parse(CAPTURED);
    assertThat(b.accepted()).isTrue();
    assertThat(b.bidId()).isEqualTo("RTBe983e428edc946a3863bcc912b828927");
    assertThat(b.amount()).isEqualTo(4.2);
    assertThat(b.phoneNumber()).isEqualTo("+17733408913");
    assertThat(b.sipAddress()).startsWith("RTBe983e@");
    assertThat(b.cached()).as("warning 230").isTrue();
    assertThat(b.expiresAtMs()).as("bidExpireEpoch wins over expireInSeconds").isEqualTo(1_755_015_176_448L);
    assertThat(b.extras()).isEmpty();
  }

  @Test
  void expireInSecondsCountsFromReceiptWhenThereIsNoEpoch() throws Exception {
    Bid b = parse("{\"bidId\":\"RTB1\",\"bidAmount\":\"3.5\",\"expireInSeconds\":30,\"phoneNumberNoPlus\":\"17733408913\","
        + "\"buyer\":\"acme\"}");
    assertThat(b.amount()).isEqualTo(3.5);
    assertThat(b.phoneNumber()).isEqualTo("+17733408913");
    assertThat(b.expiresAtMs()).isEqualTo(1_755_015_150_000L + 30_000);
    assertThat(b.cached()).isFalse();
    assertThat(b.extras()).containsEntry("buyer", "acme");
  }

  @Test
  void noBidWithReasonAndCode() throws Exception {
    Bid b = parse("{\"bidId\":\"RTB2\",\"bidAmount\":0,\"rejectReason\":\"1006 - Final capacity\"}");
    assertThat(b.accepted()).isFalse();
    assertThat(b.rejectReason()).isEqualTo("1006 - Final capacity");
    assertThat(b.rejectCode()).isEqualTo(1006);
    assertThat(parse("{\"bidAmount\":0,\"rejectReason\":\"Caller id required (Code: 1100)\"}").rejectCode()).isEqualTo(1100);
    assertThat(parse("{\"bidAmount\":0,\"rejectReason\":\"rate limit\",\"rejectCode\":1025}").rejectCode()).isEqualTo(1025);
    assertThat(parse("{\"rejectReason\":\"no buyers\"}").rejectCode()).isZero();
    assertThat(parse("{\"bidAmount\":0}").rejectReason()).isEmpty();
  }

  @Test
  void malformedAndPartialAnswersAreInvalid() {
    for (String bad : new String[] {"", "{", "{\"bidAmount\":", "[1,2]", "null", "\"text\"", "<html/>",
        "{\"bidAmount\":\"lots\"}", "{\"bidAmount\":-1}", "{\"bidId\":\"x\"}",
        "{\"bidId\":\"x\",\"bidAmount\":3}", "{\"bidAmount\":3,\"phoneNumber\":\"+17733408913\",\"expireInSeconds\":9}",
        "{\"bidId\":\"x\",\"bidAmount\":3,\"phoneNumber\":\"+17733408913\"}",
        "{\"bidId\":\"x\",\"bidAmount\":{\"a\":1},\"phoneNumber\":\"+1\"}"}) {
      assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(BidParser.Invalid.class);
    }
  }

  @Property(tries = 500)
  void anyBytesParseOrAreInvalidNeverAnotherException(@ForAll byte[] bytes) {
    try {
      BidParser.parse(Buffer.buffer(bytes), 0);
    } catch (BidParser.Invalid expected) {
      // fine
    }
  }

  @Property(tries = 300)
  void anyTextParsesOrIsInvalid(@ForAll String tail) {
    try {
      BidParser.parse(Buffer.buffer("{\"bidId\":\"a\",\"bidAmount\":1," + tail), 0);
    } catch (BidParser.Invalid expected) {
      // fine
    }
  }
}
