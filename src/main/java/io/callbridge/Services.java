package io.callbridge;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.correlation.Correlation;
import io.callbridge.metrics.Metrics;
import io.callbridge.outbox.Outbox;
import io.callbridge.store.Database;
import io.callbridge.upstream.Upstream;
import io.vertx.core.Vertx;
import java.time.Clock;

/** What flows and capabilities are built from: handed out once, at start-up, by {@link Gateway}. */
public record Services(
    Vertx vertx,
    CallBridgeConfig config,
    Database database,
    Metrics metrics,
    Clock clock,
    // Call-id links: cache + write-behind to PostgreSQL.
    Correlation correlation,
    // Outbound: per-destination clients and breakers; templates are config().templates().
    Upstream upstream,
    // Durable delivery (postbacks, leads): enqueue after validation, answered once committed.
    Outbox outbox) {}
