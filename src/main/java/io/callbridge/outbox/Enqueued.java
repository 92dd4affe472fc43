package io.callbridge.outbox;

import java.util.Optional;

/**
 * What became of an envelope once PostgreSQL committed: a new row ({@code CREATED}), the first row
 * of the same key ({@code DUPLICATE}: its id and status), the still-settling row now carrying the
 * later value ({@code SUPERSEDED}), or a stored, unsent {@code CONFLICT} row pointing at the original.
 */
public record Enqueued(long id, Result result, String status, Optional<Long> original) {
  public enum Result { CREATED, DUPLICATE, SUPERSEDED, CONFLICT }
}
