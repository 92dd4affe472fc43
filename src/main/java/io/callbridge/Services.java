package io.callbridge;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.correlation.Correlation;
import io.callbridge.flow.enrich.EnrichRecords;
import io.callbridge.metrics.Metrics;
import io.callbridge.outbox.Outbox;
import io.callbridge.store.Database;
import io.callbridge.template.Templates;
import io.callbridge.upstream.Upstream;
import io.vertx.core.Vertx;
import java.time.Clock;

/**
 * The gateway's capabilities, composed once at start-up by {@link Gateway}. Only the composition
 * root sees this whole: {@link Flows} hands each flow the few parts it uses.
 */
public record Services(
    Vertx vertx,
    CallBridgeConfig config,
    // The request templates the routes name, compiled once.
    Templates templates,
    Database database,
    Metrics metrics,
    Clock clock,
    // Call-id links: cache + write-behind to PostgreSQL.
    Correlation correlation,
    // Outbound: per-destination clients wrapped in their breakers.
    Upstream upstream,
    // Durable delivery (postbacks, leads): enqueue after validation, answered once committed.
    Outbox outbox,
    // Each enrich fan-out's per-target outcomes, shown with the call in the admin API.
    EnrichRecords enrichRecords) {}
