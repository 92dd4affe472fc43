package io.callbridge.upstream;

import io.callbridge.config.DestinationConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Before the gateway listens: every host a destination may connect to (its baseUrl's, and each
 * allowed TrackDrive company's) is resolved, and one that resolves to a loopback, private or
 * link-local address is refused unless the destination is {@code simulator: true} or
 * {@code allowPrivate: true}. Address literals were refused by the configuration already; this
 * catches names (a typo, a DNS answer). Hosts built per call are never other than these: a call's
 * company must be one of the destination's {@code subdomains} before anything connects.
 * Runs on a worker thread (DNS blocks).
 */
public final class EgressGuard {
  private static final Logger LOG = Logger.getLogger(EgressGuard.class.getName());

  private EgressGuard() {}

  /** Every problem, each naming the destination, the host and the address; empty when all is well. */
  public static List<String> check(Map<String, DestinationConfig> destinations, Resolver resolver) {
    List<String> problems = new ArrayList<>();
    for (DestinationConfig d : destinations.values()) {
      if (!d.publicOnly()) {
        continue;
      }
      for (String host : d.hosts()) {
        InetAddress[] addresses;
        try {
          addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
          // Not resolvable now (DNS away, a name not live yet): say so; requests will fail on their own.
          LOG.warning("destination " + d.name() + ": host " + host + " does not resolve now (" + e.getMessage()
              + "); its addresses could not be checked");
          continue;
        }
        for (InetAddress a : addresses) {
          if (DestinationConfig.isPrivate(a)) {
            problems.add("destinations." + d.name() + ": host " + host + " resolves to " + a.getHostAddress()
                + ", a loopback, private or link-local address; nothing is sent there unless the destination says"
                + " simulator: true (a local simulator) or allowPrivate: true (a host in your network on purpose)");
            break;
          }
        }
      }
    }
    return problems;
  }

  /** How names become addresses (tests give their own). */
  @FunctionalInterface
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;

    Resolver DNS = InetAddress::getAllByName;
  }
}
