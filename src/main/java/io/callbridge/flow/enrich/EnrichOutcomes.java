package io.callbridge.flow.enrich;

import io.vertx.core.json.JsonArray;

/**
 * Where the enrich flow keeps each fan-out's per-target outcomes (written behind the answer, never
 * awaited). {@link EnrichRecords} keeps them in PostgreSQL; a unit test can keep them in a list.
 */
@FunctionalInterface
public interface EnrichOutcomes {
  void write(String route, String callUuid, String subdomain, String mode, boolean accept, JsonArray targets);
}
