package io.callbridge.ingress;

import io.callbridge.config.RateLimit;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * What a rate limit costs one request: the route's bucket (a clock read and a CAS), and a caller
 * id's bucket (its digits, then a bounded-cache lookup), with one thread and with two competing for
 * the same bucket (two event loops). Run with {@code bin/bench-ratelimit}. Goal: under 1 µs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RateLimitBench {
  RateLimiter limiter;
  final String[] callers = new String[1024];

  @Setup
  public void setUp() {
    limiter = new RateLimiter(new RateLimit(1e12, Integer.MAX_VALUE, true, 100_000), System::nanoTime);
    for (int i = 0; i < callers.length; i++) {
      callers[i] = String.format("+1555%07d", 2_000_000 + i * 7919);
    }
  }

  @State(Scope.Thread)
  public static class Cursor {
    int i;
  }

  @Benchmark
  public long routeBucket() {
    return limiter.takeRoute();
  }

  @Benchmark
  public long routeAndCallerBucket(Cursor c) {
    return limiter.takeRoute() + limiter.takeCaller(callers[c.i++ & 1023]);
  }

  @Benchmark
  @Threads(2)
  public long routeBucketTwoLoops() {
    return limiter.takeRoute();
  }

  @Benchmark
  @Threads(2)
  public long routeAndCallerBucketTwoLoops(Cursor c) {
    return limiter.takeRoute() + limiter.takeCaller(callers[c.i++ & 1023]);
  }
}
