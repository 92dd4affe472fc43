package io.callbridge.correlation;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Process-wide interning of the few strings every record repeats: route names (a small index in
 * the packed record instead of a reference) and TrackDrive subdomains (one shared String). Both are
 * bounded; past the bound a value is simply kept as it is, so nothing grows with traffic.
 */
final class Names {
  private Names() {}

  static final int MAX_ROUTES = 4096;
  static final int MAX_SUBDOMAINS = 4096;

  private static final ConcurrentHashMap<String, Integer> ROUTE_INDEX = new ConcurrentHashMap<>();
  private static volatile String[] routes = new String[0];
  private static final ConcurrentHashMap<String, String> SUBDOMAINS = new ConcurrentHashMap<>();

  /** The route's index, or -1 once the table is full (the caller then stores the name inline). */
  static int route(String name) {
    Integer i = ROUTE_INDEX.get(name);
    if (i != null) {
      return i;
    }
    synchronized (Names.class) {
      i = ROUTE_INDEX.get(name);
      if (i != null) {
        return i;
      }
      String[] current = routes;
      if (current.length >= MAX_ROUTES) {
        return -1;
      }
      String[] grown = Arrays.copyOf(current, current.length + 1);
      grown[current.length] = name;
      routes = grown;
      ROUTE_INDEX.put(name, current.length);
      return current.length;
    }
  }

  static String route(int index) {
    return routes[index];
  }

  static String subdomain(String s) {
    if (s == null) {
      return null;
    }
    String known = SUBDOMAINS.get(s);
    if (known != null) {
      return known;
    }
    if (SUBDOMAINS.size() >= MAX_SUBDOMAINS) {
      return s;
    }
    known = SUBDOMAINS.putIfAbsent(s, s);
    return known == null ? s : known;
  }
}
