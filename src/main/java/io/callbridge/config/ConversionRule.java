package io.callbridge.config;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * When an inbound postback is a conversion: the sender's own converted flag, when the route names
 * one and the event carries it, must be true; and the amount in {@code amountField} must be above
 * {@code above} (0 by default, so a $0 event never converts). A Ringba Payout pixel has no converted
 * token of its own (support.ringba.com "Most Common Tokens", "Pixels": the Payout event fires when
 * the call is marked to pay the publisher), so its payout decides.
 *
 * <p>Why it matters: Ringba's incoming webhook converts a call whenever its Fire Conversion
 * parameter is present, even at $0, and takes one conversion per call (support.ringba.com
 * "Webhooks", "Why didn't my webhook convert?"); TrackDrive's update_call takes its converted flags
 * as given (trackdrive.com/api/docs/1.0/calls/update.html).
 */
public record ConversionRule(String amountField, Optional<String> convertedField, BigDecimal above) {
  private static final Set<String> TRUE = Set.of("1", "true", "yes", "on", "y", "t");

  static ConversionRule parse(Node n) {
    if (n.isMissing()) {
      return new ConversionRule("payout", Optional.empty(), BigDecimal.ZERO);
    }
    String amount = n.string("amountField", "payout");
    Optional<String> flag = n.has("convertedField") ? Optional.of(n.string("convertedField", "")) : Optional.empty();
    BigDecimal above = BigDecimal.valueOf(n.decimal("above", 0.0, 0.0, 1_000_000.0));
    n.finish();
    return new ConversionRule(amount, flag.filter(f -> !f.isBlank()), above);
  }

  /** Whether {@code fields} describe a conversion under this rule. */
  public boolean converts(Map<String, Object> fields) {
    if (convertedField.isPresent()) {
      Object flag = fields.get(convertedField.get());
      if (flag != null && !TRUE.contains(String.valueOf(flag).trim().toLowerCase(Locale.ROOT))) {
        return false;
      }
    }
    Object v = fields.get(amountField);
    if (v == null) {
      return false;
    }
    try {
      return new BigDecimal(String.valueOf(v).trim().replace("$", "")).compareTo(above) > 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The reason an event is not a conversion, for the row an operator reads. */
  public String whyNot(Map<String, Object> fields) {
    if (convertedField.isPresent() && fields.get(convertedField.get()) != null) {
      Object flag = fields.get(convertedField.get());
      if (!TRUE.contains(String.valueOf(flag).trim().toLowerCase(Locale.ROOT))) {
        return convertedField.get() + " is '" + flag + "'";
      }
    }
    Object v = fields.get(amountField);
    return v == null ? amountField + " is missing" : amountField + " is " + v + ", not above " + above.toPlainString();
  }
}
