package io.callbridge.correlation;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * The in-memory side, shared by every event loop: one entry per cached <em>call</em> (its packed
 * {@link CallRecord}), found through {@link LinkIndex} by every id it holds. At most
 * {@code maxCalls} calls, each for at most {@code maxAge} after it was last written; the call
 * written longest ago goes first (an entry list in write order, so eviction is O(1) and exact).
 *
 * <p>Reads take no lock. Changes take one short monitor (no I/O inside; a bounded amount of
 * eviction work per change), so two events about one call on two event loops cannot split it into
 * two records. Entry arrays are chunked and index segments grow on their own, so no change ever
 * copies the whole cache.
 */
final class LinkCache implements LinkIndex.Records {
  private static final int CHUNK_BITS = 14;
  private static final int CHUNK = 1 << CHUNK_BITS;
  private static final int NONE = -1;
  /** Expired calls removed per change at most, beyond the one a full cache makes room for. */
  private static final int EXPIRE_BUDGET = 16;
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(CallRecord[].class);

  /** A slice of the entry arrays, indexed by entry number. */
  private static final class Chunk {
    final CallRecord[] record = new CallRecord[CHUNK];
    final int[] prev = new int[CHUNK];
    final int[] next = new int[CHUNK];
  }

  private final long maxCalls;
  private final long maxAgeMs;
  private final long callerWindowMs;
  private final long baseMs;
  private final LinkIndex index = new LinkIndex(this);
  private volatile Chunk[] chunks = new Chunk[0];
  private volatile int live;

  // Writer only (under the monitor).
  private int allocated;
  private int free = NONE;
  private int oldest = NONE;
  private int newest = NONE;
  /** Ids decoded for their index hash when their slots are removed (no String made). */
  private final char[] chars = new char[IdKind.MAX_LENGTH];

  LinkCache(long maxCalls, Duration maxAge, Duration callerIdWindow, long nowMs) {
    this.maxCalls = Math.max(1, Math.min(maxCalls, Integer.MAX_VALUE - CHUNK));
    this.maxAgeMs = maxAge.toMillis();
    this.callerWindowMs = callerIdWindow.toMillis();
    this.baseMs = nowMs;
  }

  // ---------------------------------------------------------------------------------------------
  // Reads: any thread, lock-free, allocation-free.

  /** The cached record {@code kind}/{@code value} names; a caller id only within the window. */
  CallRecord get(IdKind kind, String value, long nowMs) {
    CallRecord r = index.find(IdCodec.hash(kind, value), kind, value, nowMs);
    if (r != null && kind == IdKind.CALLER_ID && nowMs - r.lastSeenMs > callerWindowMs) {
      return null;
    }
    return r;
  }

  @Override
  public CallRecord record(int entry) {
    Chunk[] cs = chunks;
    int c = entry >>> CHUNK_BITS;
    return entry < 0 || c >= cs.length ? null : (CallRecord) SLOT.getAcquire(cs[c].record, entry & (CHUNK - 1));
  }

  @Override
  public boolean expired(CallRecord r, long nowMs) {
    return nowMs - baseMs - r.cachedAt * 1000L >= maxAgeMs;
  }

  private boolean expired(int entry, long nowMs) {
    return expired(record(entry), nowMs);
  }

  // ---------------------------------------------------------------------------------------------
  // Changes: one at a time.

  /**
   * Applies one event's ids: finds the records they name, merges them and the event, re-indexes. An
   * event that adds nothing to the one call it names (see {@link CallRecord#seenAgain}) only stores
   * that call's record with its new last-seen time, sharing the packed ids; its index slots stay.
   * When the call's record still waits in the write queue, the new one takes its place there
   * ({@link WriteBehind#join}); otherwise the caller queues it.
   */
  synchronized CallRecord link(CallLink link, String route, long nowMs) {
    Entries found = entriesOf(link.ids, nowMs);
    if (found.isEmpty()) {
      String caller = link.ids[IdKind.CALLER_ID.ordinal()];
      int recent = caller == null ? NONE : index.entry(IdCodec.hash(IdKind.CALLER_ID, caller), IdKind.CALLER_ID, caller);
      CallRecord r = recent == NONE || expired(recent, nowMs) ? null : record(recent);
      // The caller id is weak: it joins an event to a call only when one of the two has no platform id.
      if (r != null && nowMs - r.lastSeenMs <= callerWindowMs && (!r.hasPlatformId() || !link.hasPlatformId())) {
        found.add(recent);
      }
    }
    if (found.size == 1) {
      // The same call linked again with nothing new (a repeated ping): its ids, index slots and
      // packed bytes stay; only when it was last seen (and its place in the write order) changes.
      int e = found.at[0];
      CallRecord known = record(e);
      CallRecord again = CallRecord.seenAgain(known, link, nowMs);
      if (again != null) {
        WriteBehind.join(known, again);
        write(e, again, nowMs);
        String caller = link.ids[IdKind.CALLER_ID.ordinal()];
        if (caller == null || !again.matches(IdKind.CALLER_ID, caller)) {
          caller = again.id(IdKind.CALLER_ID.ordinal()); // the record's own (the link's, if another, is ignored)
        }
        if (caller != null) {
          // As commit does: the caller id names the call linked last.
          index.put(IdCodec.hash(IdKind.CALLER_ID, caller), IdKind.CALLER_ID, caller, e);
        }
        trim(e, nowMs);
        return again;
      }
    }
    CallRecord event = CallRecord.of(link, route, nowMs);
    if (found.isEmpty()) {
      // A new call: its ids are the link's (already hashed), nothing to decode.
      commit(event, link.ids, found, true, nowMs);
      return event;
    }
    CallRecord kept = record(found.at[0]);
    CallRecord merged = CallRecord.merge(fold(found), event);
    WriteBehind.join(kept, merged);
    commit(merged, merged.ids(), found, true, nowMs);
    return merged;
  }

  /** Puts a record read from PostgreSQL, merged with whatever this instance already holds for it. */
  synchronized CallRecord fill(CallRecord loaded, long nowMs) {
    String[] ids = loaded.ids();
    Entries found = entriesOf(ids, nowMs);
    CallRecord merged = loaded;
    if (!found.isEmpty()) {
      // What PostgreSQL has is older than this instance's unflushed view; the cache's ids win.
      merged = CallRecord.merge(fold(found), loaded);
      ids = merged.ids();
    }
    String caller = merged.id(IdKind.CALLER_ID.ordinal());
    int holder = caller == null ? NONE : index.entry(IdCodec.hash(IdKind.CALLER_ID, caller), IdKind.CALLER_ID, caller);
    CallRecord current = holder == NONE || expired(holder, nowMs) ? null : record(holder);
    commit(merged, ids, found, current == null || current.lastSeenMs <= merged.lastSeenMs, nowMs);
    return merged;
  }

  /** The entries of the calls one event names: at most one per id kind, unboxed. */
  private static final class Entries {
    final int[] at = new int[IdKind.ALL.length];
    int size;

    boolean isEmpty() {
      return size == 0;
    }

    boolean contains(int e) {
      for (int i = 0; i < size; i++) {
        if (at[i] == e) {
          return true;
        }
      }
      return false;
    }

    void add(int e) {
      at[size++] = e;
    }
  }

  /** The live entries the platform ids name (expired ones are removed on the way), first seen first. */
  private Entries entriesOf(String[] ids, long nowMs) {
    Entries found = new Entries();
    for (IdKind k : IdKind.PLATFORM) {
      String v = ids[k.ordinal()];
      if (v == null) {
        continue;
      }
      int e = index.entry(IdCodec.hash(k, v), k, v);
      if (e == NONE || found.contains(e)) {
        continue;
      }
      if (expired(e, nowMs)) {
        evict(e);
      } else {
        found.add(e);
      }
    }
    // Insertion sort (stable): a handful at most, usually none or one.
    for (int i = 1; i < found.size; i++) {
      int e = found.at[i];
      long first = record(e).firstSeenMs;
      int j = i;
      for (; j > 0 && record(found.at[j - 1]).firstSeenMs > first; j--) {
        found.at[j] = found.at[j - 1];
      }
      found.at[j] = e;
    }
    return found;
  }

  /** The records as one, the earliest first seen leading (its ids win). */
  private CallRecord fold(Entries entries) {
    CallRecord acc = record(entries.at[0]);
    for (int i = 1; i < entries.size; i++) {
      acc = CallRecord.merge(acc, record(entries.at[i]));
    }
    return acc;
  }

  /**
   * Stores {@code merged} (whose ids are {@code ids}) in the first of {@code replaced} (or a new
   * entry) and points its ids at it, then drops what no longer names it: ids the merge lost (an older
   * bid) and the other entries. Ids are repointed before anything is removed, so a concurrent reader
   * never misses the call.
   */
  private void commit(CallRecord merged, String[] ids, Entries replaced, boolean takeCallerKey, long nowMs) {
    int keep = replaced.isEmpty() ? allocate() : replaced.at[0];
    CallRecord[] old = new CallRecord[replaced.size];
    for (int i = 0; i < replaced.size; i++) {
      old[i] = record(replaced.at[i]);
    }
    write(keep, merged, nowMs);
    for (IdKind k : IdKind.PLATFORM) {
      String v = ids[k.ordinal()];
      if (v != null) {
        index.put(IdCodec.hash(k, v), k, v, keep);
      }
    }
    String caller = ids[IdKind.CALLER_ID.ordinal()];
    if (caller != null && takeCallerKey) {
      index.put(IdCodec.hash(IdKind.CALLER_ID, caller), IdKind.CALLER_ID, caller, keep);
    }
    for (int i = 0; i < replaced.size; i++) {
      int e = replaced.at[i];
      for (IdKind k : IdKind.ALL) {
        String v = ids[k.ordinal()];
        // Every slot of an entry merged away; the slots of ids the merge lost (an older bid) of the kept one.
        if (old[i].has(k) && (e != keep || v == null || !old[i].matches(k, v))) {
          index.remove(old[i].hash(k, chars), e);
        }
      }
      if (e != keep) {
        release(e);
      }
    }
    trim(keep, nowMs);
  }

  /** After a change: the oldest call leaves if the cache is over its bound, and a few expired ones with it. */
  private void trim(int keep, long nowMs) {
    if (live > maxCalls) {
      evict(oldest);
    }
    for (int i = 0; i < EXPIRE_BUDGET && oldest != NONE && oldest != keep && expired(oldest, nowMs); i++) {
      evict(oldest);
    }
  }

  private Chunk chunk(int entry) {
    return chunks[entry >>> CHUNK_BITS];
  }

  private int allocate() {
    int e;
    if (free != NONE) {
      e = free;
      free = chunk(e).next[e & (CHUNK - 1)];
    } else {
      e = allocated++;
      Chunk[] cs = chunks;
      if (e >>> CHUNK_BITS >= cs.length) {
        Chunk[] grown = java.util.Arrays.copyOf(cs, cs.length + 1);
        grown[cs.length] = new Chunk();
        chunks = grown;
      }
    }
    Chunk c = chunk(e);
    c.prev[e & (CHUNK - 1)] = NONE;
    c.next[e & (CHUNK - 1)] = NONE;
    live++;
    return e;
  }

  /** Sets the entry's record and moves it to the newest end of the write order. */
  private void write(int e, CallRecord r, long nowMs) {
    Chunk c = chunk(e);
    int i = e & (CHUNK - 1);
    // The stamp first: a reader that sees the record sees its stamp (release/acquire on the slot).
    r.cachedAt = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.floorDiv(nowMs - baseMs, 1000)));
    SLOT.setRelease(c.record, i, r);
    if (newest == e) {
      return;
    }
    unlink(e);
    c.prev[i] = newest;
    c.next[i] = NONE;
    if (newest != NONE) {
      chunk(newest).next[newest & (CHUNK - 1)] = e;
    }
    newest = e;
    if (oldest == NONE) {
      oldest = e;
    }
  }

  private void unlink(int e) {
    Chunk c = chunk(e);
    int i = e & (CHUNK - 1);
    int p = c.prev[i];
    int n = c.next[i];
    boolean linked = p != NONE || n != NONE || oldest == e;
    if (!linked) {
      return;
    }
    if (p != NONE) {
      chunk(p).next[p & (CHUNK - 1)] = n;
    } else {
      oldest = n;
    }
    if (n != NONE) {
      chunk(n).prev[n & (CHUNK - 1)] = p;
    } else {
      newest = p;
    }
    c.prev[i] = NONE;
    c.next[i] = NONE;
  }

  /** Removes a call: every index slot naming it, then the entry. */
  private void evict(int e) {
    CallRecord r = record(e);
    for (IdKind k : IdKind.ALL) {
      if (r.has(k)) {
        index.remove(r.hash(k, chars), e);
      }
    }
    release(e);
  }

  /** Frees an entry no slot names any more. */
  private void release(int e) {
    unlink(e);
    Chunk c = chunk(e);
    SLOT.setRelease(c.record, e & (CHUNK - 1), (CallRecord) null);
    c.next[e & (CHUNK - 1)] = free;
    free = e;
    live--;
  }

  /** Cached calls. */
  long size() {
    return live;
  }

  synchronized void invalidateAll() {
    index.clear();
    chunks = new Chunk[0];
    allocated = 0;
    free = NONE;
    oldest = NONE;
    newest = NONE;
    live = 0;
  }
}
