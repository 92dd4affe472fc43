package io.callbridge.testing;

import io.callbridge.correlation.CallLink;
import io.callbridge.correlation.CallLinks;
import io.callbridge.correlation.CallRecord;
import io.callbridge.correlation.IdKind;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** Call links for a flow's unit test: every link kept in order (shared bids too); {@code find} knows no call. */
public final class FakeCallLinks implements CallLinks {
  public final List<CallLink> linked = new CopyOnWriteArrayList<>();
  /** The bid of each {@link #linkShared} call, in order (its call is in {@link #linked} too). */
  public final List<String> sharedBids = new CopyOnWriteArrayList<>();

  @Override
  public void linkShared(String route, String bidId, CallLink call) {
    sharedBids.add(bidId);
    linked.add(call);
  }

  @Override
  public Optional<CallRecord> link(String route, CallLink link) {
    linked.add(link);
    return Optional.empty();
  }

  @Override
  public Future<Optional<CallRecord>> find(IdKind kind, String value, IdKind needed) {
    return Future.succeededFuture(Optional.empty());
  }
}
