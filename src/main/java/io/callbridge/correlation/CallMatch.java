package io.callbridge.correlation;

import java.util.List;

/**
 * Which call an id names, for money: one call, none known, or several plausible ones. A postback
 * is credited only on {@link Found}; {@link Ambiguous} is never resolved by a guess.
 */
public sealed interface CallMatch {
  /** The one call the id names (it may still lack the id kind the caller needs). */
  record Found(CallRecord call) implements CallMatch {}

  /** No call is known by that id (within the window, for a caller id). */
  record Unknown() implements CallMatch {}

  /**
   * More than one call is plausible: {@code candidates} are their {@code kind} ids (at most a
   * few), newest first.
   */
  record Ambiguous(IdKind kind, List<String> candidates) implements CallMatch {}

  CallMatch UNKNOWN = new Unknown();
}
