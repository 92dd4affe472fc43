package io.callbridge.correlation;

import io.vertx.core.Future;
import java.util.Optional;

/**
 * What a flow needs of correlation: record that a route saw ids together, and find the call an id
 * names. {@link Correlation} is the real one; a flow's unit test can hand in a map.
 */
public interface CallLinks {
  /** Records that {@code route} saw these ids together; answers the call as it now stands. Never blocks. */
  Optional<CallRecord> link(String route, CallLink link);

  /**
   * The call {@code value} names. A cached record without a {@code needed} id (null: any) is checked
   * against PostgreSQL too; a caller id names the most recent call from it within the window.
   */
  Future<Optional<CallRecord>> find(IdKind kind, String value, IdKind needed);

  /**
   * Records a further call ({@code call}: its ids without the bid) that got {@code bidId}, a bid
   * already linked to an earlier call (the ping shield answers repeats from memory). The call is
   * linked as its own; a postback matched by that bid id is then ambiguous. This default serves
   * fakes: it links the call.
   */
  default void linkShared(String route, String bidId, CallLink call) {
    link(route, call);
  }

  /**
   * The call {@code value} names when money depends on the answer (postbacks): like {@link #find},
   * but a weak id (a caller id) that names more than one call with a {@code needed} id is
   * {@link CallMatch.Ambiguous}, never the most recent one. {@link Correlation} also waits for the
   * links every instance made before it asked. This default serves fakes that know one call per id.
   */
  default Future<CallMatch> match(IdKind kind, String value, IdKind needed) {
    return find(kind, value, needed).map(r -> r.<CallMatch>map(CallMatch.Found::new).orElse(CallMatch.UNKNOWN));
  }
}
