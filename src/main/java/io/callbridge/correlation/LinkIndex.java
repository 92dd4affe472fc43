package io.callbridge.correlation;

import java.util.concurrent.locks.StampedLock;

/**
 * The cache's id index: (kind, id) → call entry, for every id of every cached call, in primitive
 * open-addressing tables (8 bytes a slot, no object per id). A slot holds 32 bits of the id's
 * 64-bit hash and the entry number; a hit is always verified against the id stored in the call's
 * record, so the index has no false positives. The table is split into {@value #SEGMENTS}
 * segments by other hash bits, each grown on its own (by half, at 80% load), so growing never copies
 * more than a sliver of the index while the writer lock is held.
 *
 * <p>Readers take no lock: an optimistic {@link StampedLock} read, validated after probing (a
 * segment changes only inside its write lock, held for a few slot writes, or a table swap). One
 * writer at a time: the caller ({@link LinkCache}) serialises changes.
 */
final class LinkIndex {
  static final int SEGMENTS = 256;
  private static final int MIN_CAPACITY = 8;

  /** Where the index finds the records its slots point to. */
  interface Records {
    /** The record of {@code entry}, or null when the entry is free (any thread). */
    CallRecord record(int entry);

    /** Whether the cached record is older than the cache's age bound at {@code nowMs}. */
    boolean expired(CallRecord record, long nowMs);
  }

  private static final class Segment {
    final StampedLock lock = new StampedLock();
    long[] table = new long[MIN_CAPACITY]; // 0: empty; else tag << 32 | entry
    int size;
  }

  private final Segment[] segments = new Segment[SEGMENTS];
  private final Records records;

  LinkIndex(Records records) {
    this.records = records;
    for (int i = 0; i < SEGMENTS; i++) {
      segments[i] = new Segment();
    }
  }

  /** Never 0, so a slot is never 0. */
  private static int tag(long hash) {
    return (int) (hash >>> 32) | 1;
  }

  /** The home slot of a tag: derived from the tag alone, so slots move (deletion, growth) without the id. */
  private static int home(int tag, int capacity) {
    return (int) (((tag & 0xFFFFFFFFL) * capacity) >>> 32);
  }

  private Segment segment(long hash) {
    return segments[(int) hash & (SEGMENTS - 1)];
  }

  // ---------------------------------------------------------------------------------------------
  // Readers (any thread, no lock).

  /** The live record {@code kind}/{@code value} names, or null. {@code hash} is {@link IdCodec#hash}. */
  CallRecord find(long hash, IdKind kind, String value, long nowMs) {
    Segment s = segment(hash);
    int tag = tag(hash);
    for (int attempt = 0; ; attempt++) {
      long stamp = attempt < 64 ? s.lock.tryOptimisticRead() : s.lock.readLock();
      try {
        if (stamp == 0) {
          Thread.onSpinWait();
          continue;
        }
        long[] t = s.table;
        int capacity = t.length;
        int pos = home(tag, capacity);
        CallRecord found = null;
        for (int i = 0; i < capacity; i++) {
          long slot = t[pos];
          if (slot == 0) {
            break;
          }
          if ((int) (slot >>> 32) == tag) {
            CallRecord r = records.record((int) slot);
            if (r != null && r.matches(kind, value)) {
              found = r;
              break;
            }
          }
          if (++pos == capacity) {
            pos = 0;
          }
        }
        if (StampedLock.isReadLockStamp(stamp) || s.lock.validate(stamp)) {
          return found == null || records.expired(found, nowMs) ? null : found;
        }
      } finally {
        if (StampedLock.isReadLockStamp(stamp)) {
          s.lock.unlockRead(stamp);
        }
      }
    }
  }

  /** The entry whose record holds (kind, value) among the slots tagged like it; -1 when none. */
  private int probe(long[] t, int tag, IdKind kind, String value) {
    int capacity = t.length;
    int pos = home(tag, capacity);
    for (int i = 0; i < capacity; i++) {
      long slot = t[pos];
      if (slot == 0) {
        return -1;
      }
      if ((int) (slot >>> 32) == tag) {
        int e = (int) slot;
        CallRecord r = records.record(e);
        if (r != null && r.matches(kind, value)) {
          return e;
        }
      }
      if (++pos == capacity) {
        pos = 0;
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------------------------------------
  // The writer (one at a time; see LinkCache).

  /** The entry (live or expired) whose record holds (kind, value), or -1. */
  int entry(long hash, IdKind kind, String value) {
    return probe(segment(hash).table, tag(hash), kind, value);
  }

  /** Makes (kind, value) name {@code entry}: repoints its slot, or adds one. */
  void put(long hash, IdKind kind, String value, int entry) {
    Segment s = segment(hash);
    int tag = tag(hash);
    long slotValue = (long) tag << 32 | (entry & 0xFFFFFFFFL);
    long[] t = s.table;
    int capacity = t.length;
    int pos = home(tag, capacity);
    for (int i = 0; i < capacity; i++) {
      long slot = t[pos];
      if (slot == 0) {
        break;
      }
      if ((int) (slot >>> 32) == tag) {
        CallRecord r = records.record((int) slot);
        if (r != null && r.matches(kind, value)) {
          if (slot != slotValue) {
            long stamp = s.lock.writeLock();
            t[pos] = slotValue;
            s.lock.unlockWrite(stamp);
          }
          return;
        }
      }
      if (++pos == capacity) {
        pos = 0;
      }
    }
    if ((s.size + 1) * 5L > capacity * 4L) {
      long[] grown = rehash(t, capacity + Math.max(MIN_CAPACITY, capacity >>> 1));
      long stamp = s.lock.writeLock();
      s.table = grown;
      s.lock.unlockWrite(stamp);
      t = grown;
      capacity = t.length;
    }
    pos = home(tag, capacity);
    while (t[pos] != 0) {
      if (++pos == capacity) {
        pos = 0;
      }
    }
    long stamp = s.lock.writeLock();
    t[pos] = slotValue;
    s.size++;
    s.lock.unlockWrite(stamp);
  }

  /** A new table with every slot of {@code t}; built aside, readers keep using {@code t} meanwhile. */
  private static long[] rehash(long[] t, int capacity) {
    long[] grown = new long[capacity];
    for (long slot : t) {
      if (slot != 0) {
        int pos = home((int) (slot >>> 32), capacity);
        while (grown[pos] != 0) {
          if (++pos == capacity) {
            pos = 0;
          }
        }
        grown[pos] = slot;
      }
    }
    return grown;
  }

  /** Removes the slot of the id hashed {@code hash} that names {@code entry}, if there is one. */
  void remove(long hash, int entry) {
    Segment s = segment(hash);
    int tag = tag(hash);
    long target = (long) tag << 32 | (entry & 0xFFFFFFFFL);
    long[] t = s.table;
    int capacity = t.length;
    int pos = home(tag, capacity);
    for (int i = 0; i < capacity; i++) {
      long slot = t[pos];
      if (slot == 0) {
        return;
      }
      if (slot == target) {
        long stamp = s.lock.writeLock();
        deleteAt(t, pos);
        s.size--;
        s.lock.unlockWrite(stamp);
        return;
      }
      if (++pos == capacity) {
        pos = 0;
      }
    }
  }

  /** Backward-shift deletion: later slots of the cluster move up so every slot stays reachable from its home. */
  private static void deleteAt(long[] t, int hole) {
    int capacity = t.length;
    int j = hole;
    while (true) {
      if (++j == capacity) {
        j = 0;
      }
      long slot = t[j];
      if (slot == 0) {
        break;
      }
      int home = home((int) (slot >>> 32), capacity);
      // The slot stays when its home lies cyclically in (hole, j].
      int distHome = j - home < 0 ? j - home + capacity : j - home;
      int distHole = j - hole < 0 ? j - hole + capacity : j - hole;
      if (distHome >= distHole) {
        t[hole] = slot;
        hole = j;
      }
    }
    t[hole] = 0;
  }

  /** Empties every segment (tables back to their smallest). */
  void clear() {
    for (Segment s : segments) {
      long stamp = s.lock.writeLock();
      s.table = new long[MIN_CAPACITY];
      s.size = 0;
      s.lock.unlockWrite(stamp);
    }
  }

  /** Index slots in use (one per cached id). */
  long ids() {
    long n = 0;
    for (Segment s : segments) {
      n += s.size;
    }
    return n;
  }
}
