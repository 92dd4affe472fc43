package io.callbridge.outbox;

import java.util.Optional;

/**
 * What became of an envelope once PostgreSQL committed: a new row ({@code CREATED}), the first row
 * of the same key ({@code DUPLICATE}: its id and status), the still-settling row now carrying the
 * later value ({@code SUPERSEDED}), a stored, unsent {@code CONFLICT} row pointing at the original, or
 * a {@code CORRECTION}: a new row with the later value, sent after the original (absolute values).
 */
public record Enqueued(long id, Result result, String status, Optional<Long> original) {
  public enum Result { CREATED, DUPLICATE, SUPERSEDED, CONFLICT, CORRECTION }
}
