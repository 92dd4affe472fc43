package io.callbridge.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * A network written as {@code 203.0.113.0/24}, {@code 2001:db8::/32} or a single address. Only
 * address literals are read (never a name: no DNS at configuration time).
 */
public record Cidr(byte[] network, int prefix, String text) {
  private static final Pattern LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  /** The network, or null when {@code text} is not one (the reason goes to {@code where}). */
  static Cidr parse(String text, Node where) {
    String t = text.trim();
    int slash = t.indexOf('/');
    String address = slash < 0 ? t : t.substring(0, slash);
    if (!LITERAL.matcher(address).matches()) {
      where.error("'" + text + "' is not an address or network (e.g. 203.0.113.0/24, 2001:db8::/32)");
      return null;
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(address).getAddress(); // a literal: parsed, never looked up
    } catch (UnknownHostException e) {
      where.error("'" + text + "' is not an address or network (e.g. 203.0.113.0/24, 2001:db8::/32)");
      return null;
    }
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > max) {
        where.error("'" + text + "': the prefix length must be 0.." + max);
        return null;
      }
    }
    return new Cidr(bytes, prefix, t);
  }

  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (a[full] & mask) == (network[full] & mask);
  }

  /** True when any network in {@code list} holds {@code address}. */
  public static boolean any(java.util.List<Cidr> list, InetAddress address) {
    for (Cidr c : list) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  static java.util.List<Cidr> list(Node n, String key) {
    java.util.List<Cidr> out = new java.util.ArrayList<>();
    Node list = n.get(key);
    for (Node item : list.items()) {
      String text = item.text();
      Cidr c = text == null || text.isBlank() ? null : parse(text, item);
      if (c != null) {
        out.add(c);
      }
    }
    return java.util.List.copyOf(out);
  }

  @Override
  public String toString() {
    return text;
  }
}
