package io.callbridge.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.Supplier;

/**
 * The same operations as {@link TemplateBench}, timed in thread CPU time rather than wall time: a
 * cross-check that stays meaningful when the machine is shared and JMH's wall-clock figures are
 * inflated by waiting for a core. Run by {@code bin/bench-templates --cpu}.
 */
public final class TemplateCpuTime {
  private TemplateCpuTime() {}

  public static void main(String[] args) {
    TemplateBench b = new TemplateBench();
    b.setup();
    run("renderUrl10Tokens", b::renderUrl10Tokens);
    run("renderJsonBody", b::renderJsonBody);
    run("phoneNanpFastPath", b::phoneNanpFastPath);
    run("phoneLibphonenumber", b::phoneLibphonenumber);
  }

  static Object sink;

  private static void run(String name, Supplier<?> op) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 300_000; i++) {
      sink = op.get(); // warm-up: let the JIT compile the path
    }
    int rounds = 7;
    int n = 200_000;
    double best = Double.MAX_VALUE;
    double[] each = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long c0 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        sink = op.get();
      }
      each[r] = (mx.getCurrentThreadCpuTime() - c0) / (double) n;
      best = Math.min(best, each[r]);
    }
    java.util.Arrays.sort(each);
    System.out.printf("%-22s cpu ns/op: median %8.1f  best %8.1f%n", name, each[rounds / 2], best);
  }
}
