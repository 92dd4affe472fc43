package io.callbridge.correlation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The in-memory side: one Caffeine cache shared by every event loop, keyed by every id of every
 * record (the id text itself; the record is checked for the kind on read, which saves a key object
 * per id). Reads are lock-free; changes take one short monitor (no I/O inside), so two events
 * about one call on two event loops cannot split it into two records.
 */
final class LinkCache {
  private final Cache<String, CallRecord> cache;
  private final long callerWindowMs;

  LinkCache(long maxEntries, Duration maxAge, Duration callerIdWindow) {
    this.cache = Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .expireAfterWrite(maxAge)
        // Maintenance (eviction, expiry) runs on the thread that triggers it, in small amortised
        // steps: no hand-off to the common pool, which on a small machine only adds contention.
        .executor(Runnable::run)
        .build();
    this.callerWindowMs = callerIdWindow.toMillis();
  }

  /** The cached record {@code kind}/{@code value} names; a caller id only within the window. */
  CallRecord get(IdKind kind, String value, long nowMs) {
    CallRecord r = cache.getIfPresent(value);
    if (r == null || !r.matches(kind, value)) {
      return null;
    }
    if (kind == IdKind.CALLER_ID && nowMs - r.lastSeenMs > callerWindowMs) {
      return null;
    }
    return r;
  }

  /** Applies one event's ids: finds the records they name, merges them and the event, re-indexes. */
  synchronized CallRecord link(CallLink link, String route, long nowMs) {
    List<CallRecord> found = recordsOf(link.ids);
    if (found.isEmpty()) {
      String caller = link.ids[IdKind.CALLER_ID.ordinal()];
      CallRecord recent = caller == null ? null : get(IdKind.CALLER_ID, caller, nowMs);
      // The caller id is weak: it joins an event to a call only when one of the two has no platform id.
      if (recent != null && (!recent.hasPlatformId() || !link.hasPlatformId())) {
        found.add(recent);
      }
    }
    CallRecord merged = fold(found);
    CallRecord event = CallRecord.of(link, route, nowMs);
    merged = merged == null ? event : CallRecord.merge(merged, event);
    index(merged, found, true);
    return merged;
  }

  /** Puts a record read from PostgreSQL, merged with whatever this instance already holds for it. */
  synchronized CallRecord fill(CallRecord loaded) {
    List<CallRecord> found = recordsOf(loaded.ids);
    CallRecord merged = loaded;
    if (!found.isEmpty()) {
      // What PostgreSQL has is older than this instance's unflushed view; the cache's ids win.
      merged = CallRecord.merge(fold(found), loaded);
    }
    CallRecord current = callerHolder(merged);
    index(merged, found, current == null || current.lastSeenMs <= merged.lastSeenMs);
    return merged;
  }

  private CallRecord callerHolder(CallRecord r) {
    String caller = r.ids[IdKind.CALLER_ID.ordinal()];
    return caller == null ? null : cache.getIfPresent(caller);
  }

  private List<CallRecord> recordsOf(String[] ids) {
    List<CallRecord> found = new ArrayList<>(2);
    for (IdKind k : IdKind.PLATFORM) {
      String v = ids[k.ordinal()];
      if (v == null) {
        continue;
      }
      CallRecord r = cache.getIfPresent(v);
      if (r != null && r.matches(k, v) && !containsIdentity(found, r)) {
        found.add(r);
      }
    }
    return found;
  }

  private static boolean containsIdentity(List<CallRecord> list, CallRecord r) {
    for (CallRecord x : list) {
      if (x == r) {
        return true;
      }
    }
    return false;
  }

  /** The records as one, the earliest first seen leading (its ids win). */
  private static CallRecord fold(List<CallRecord> records) {
    if (records.isEmpty()) {
      return null;
    }
    records.sort((x, y) -> Long.compare(x.firstSeenMs, y.firstSeenMs));
    CallRecord acc = records.get(0);
    for (int i = 1; i < records.size(); i++) {
      acc = CallRecord.merge(acc, records.get(i));
    }
    return acc;
  }

  private void index(CallRecord merged, List<CallRecord> replaced, boolean takeCallerKey) {
    for (IdKind k : IdKind.PLATFORM) {
      String v = merged.ids[k.ordinal()];
      if (v != null) {
        cache.put(v, merged);
      }
    }
    // Ids of merged-away records that lost to another value (e.g. an older bid) no longer name this call here.
    for (CallRecord old : replaced) {
      for (IdKind k : IdKind.PLATFORM) {
        String v = old.ids[k.ordinal()];
        if (v != null && !merged.matches(k, v)) {
          cache.asMap().remove(v, old);
        }
      }
    }
    String caller = merged.ids[IdKind.CALLER_ID.ordinal()];
    if (caller != null && takeCallerKey) {
      cache.put(caller, merged);
    }
  }

  long size() {
    return cache.estimatedSize();
  }

  void invalidateAll() {
    cache.invalidateAll();
    cache.cleanUp();
  }

  void cleanUp() {
    cache.cleanUp();
  }
}
