package io.callbridge.sim;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deterministic randomness: the n-th request to one endpoint id gets the same draws for the same
 * seed, whatever else arrives in between or concurrently.
 */
final class Dice {
  private final long seed;
  private final ConcurrentHashMap<String, AtomicLong> counters = new ConcurrentHashMap<>();

  Dice(long seed) {
    this.seed = seed;
  }

  record Draw(long index, SplittableRandom random) {}

  Draw next(String endpointKey) {
    long index = counters.computeIfAbsent(endpointKey, k -> new AtomicLong()).getAndIncrement();
    long s = mix(seed ^ mix(fnv(endpointKey)) ^ mix(index + 0x9E3779B97F4A7C15L));
    return new Draw(index, new SplittableRandom(s));
  }

  /** A hex id of {@code hexDigits} characters, e.g. for bidIds. */
  static String hex(SplittableRandom r, int hexDigits) {
    StringBuilder sb = new StringBuilder(hexDigits);
    while (sb.length() < hexDigits) {
      sb.append(String.format("%016x", r.nextLong()));
    }
    return sb.substring(0, hexDigits);
  }

  private static long fnv(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b;
      h *= 0x100000001b3L;
    }
    return h;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
