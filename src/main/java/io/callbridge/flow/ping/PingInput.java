package io.callbridge.flow.ping;

import io.callbridge.ingress.Inbound;
import io.callbridge.ingress.Reply;
import io.callbridge.template.Phones;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns an inbound ping into a {@link PingRequest}, or a 400/422 naming the field. The caller id
 * is required by nature (Ringba rejects a bid without one, code 1100): it is checked even when a
 * route forgets to list it.
 */
final class PingInput {
  static final String CALLER_ID = "caller_id";
  static final String CALL_UUID = "call_uuid";
  static final String SUBDOMAIN = "subdomain";
  static final String TAGS = "tags";

  private final String route;
  private final List<String> required;
  private final Set<String> shieldIgnore;
  private final Phones phones;
  private final boolean shield;
  private final List<String> tags;

  PingInput(String route, List<String> required, List<String> shieldIgnore, Phones phones, boolean shield) {
    this(route, required, shieldIgnore, phones, shield, List.of());
  }

  PingInput(String route, List<String> required, List<String> shieldIgnore, Phones phones, boolean shield,
      List<String> tags) {
    this.tags = List.copyOf(tags);
    this.route = route;
    this.required = required;
    this.shieldIgnore = Set.copyOf(shieldIgnore);
    this.phones = phones;
    this.shield = shield;
  }

  /** What a ping's input is: a request to price, or bad input. */
  sealed interface Parsed permits PingRequest, Invalid {}

  /** Bad input: the reply ingress sends, naming the field. */
  record Invalid(Reply reply) implements Parsed {
    static Invalid of(String field, String message) {
      return new Invalid(Reply.error(422, field + ": " + message, field));
    }
  }

  Parsed parse(Inbound in) {
    Optional<Reply> missing = in.missingRequired(required);
    if (missing.isPresent()) {
      return new Invalid(missing.get());
    }
    Optional<String> raw = in.text(CALLER_ID);
    if (raw.isEmpty()) {
      return Invalid.of(CALLER_ID, "is required");
    }
    String callerId = e164(raw.get());
    if (callerId == null) {
      return Invalid.of(CALLER_ID, "not a phone number");
    }
    for (Map.Entry<String, Object> e : in.fields().entrySet()) {
      Object v = e.getValue();
      if (v instanceof Map || v instanceof List) {
        return Invalid.of(e.getKey(), "expected a single value, not a nested object or list");
      }
    }
    Map<String, Object> fields = in.fields();
    if (!tags.isEmpty() || fields.containsKey(TAGS)) {
      // [tags] is the route's choice of inbound fields, never the caller's own map.
      fields = new java.util.HashMap<>(fields);
      fields.remove(TAGS);
      Map<String, Object> chosen = new java.util.LinkedHashMap<>();
      for (String t : tags) {
        Object v = in.fields().get(t);
        if (v != null) {
          chosen.put(t, v);
        }
      }
      if (!chosen.isEmpty()) {
        fields.put(TAGS, chosen);
      }
    }
    return new PingRequest(callerId, in.text(CALL_UUID).orElse(""), in.text(SUBDOMAIN).orElse(""), fields,
        shield ? shieldKey(callerId, in.fields()) : "");
  }

  /**
   * Route, caller id and the sorted tag set: what makes Ringba answer a repeat ping from its own
   * cache, so it is what makes ours answer too. Call ids are not tags (each call has new ones).
   */
  private String shieldKey(String callerId, Map<String, Object> fields) {
    String[] keys = new String[fields.size()];
    int n = 0;
    for (String k : fields.keySet()) {
      if (!k.equals(CALLER_ID) && !shieldIgnore.contains(k)) {
        keys[n++] = k;
      }
    }
    Arrays.sort(keys, 0, n);
    StringBuilder sb = new StringBuilder(64).append(route).append('\u0000').append(callerId);
    for (int i = 0; i < n; i++) {
      Object v = fields.get(keys[i]);
      String text = v == null ? "" : String.valueOf(v).trim();
      if (!text.isEmpty()) {
        sb.append('\u0000').append(keys[i]).append('=').append(text);
      }
    }
    return sb.toString();
  }

  /** E.164, or null: the same reading of phone numbers as the templates' {@code e164} filter. */
  String e164(String raw) {
    return phones.format(raw, Phones.Format.E164).orElse(null);
  }
}
