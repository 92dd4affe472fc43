package io.callbridge.config;

import java.util.List;

/**
 * Ring tree: Ringba pings CallBridge as one of its Ring Tree Targets and the buyers live in
 * TrackDrive. Each target is one TrackDrive inbound webhook pinged with the target's template;
 * {@code postTemplate} is the post step sent, with the same target's vars and destination, when
 * Ringba accepts the bid.
 *
 * <ul>
 *   <li>{@code floor}: the lowest TrackDrive bid answered.
 *   <li>{@code bidSeconds}: the bid's life told to Ringba ({@code expireInSeconds}); an accept after
 *       it is refused as expired.
 *   <li>{@code minTransferSeconds}: the life a held bid must still have for the ping shield to hand
 *       it out again.
 *   <li>{@code conversionSeconds}: the duration told to Ringba.
 *   <li>{@code transferNumber}: the number answered with the bid (TrackDrive's number for the inbound
 *       webhook's offer); empty: the number comes only with the accept, from TrackDrive's post answer.
 *   <li>{@code post}: {@code buyer} posts the winning buyer's {@code ping_id} and {@code buyer_id};
 *       {@code try_all} posts {@code try_all_buyers_ping_id} so TrackDrive tries every matched buyer.
 *   <li>{@code postNumberField}: where TrackDrive's post answer carries the number to transfer to.
 *   <li>{@code tags}: inbound fields passed on to TrackDrive's ping (the template's {@code "...": "[tags]"}).
 *   <li>{@code shield}, {@code shieldIgnore}, {@code shieldMaxEntries}: an identical ping (the same
 *       fields, Ringba's call id among them, except {@code shieldIgnore}) is answered with the bid it
 *       already got while that bid lives.
 * </ul>
 */
public record RingTreeSettings(
    double floor,
    int bidSeconds,
    int minTransferSeconds,
    int conversionSeconds,
    String numberFormat,
    String transferNumber,
    Post post,
    String postTemplate,
    String postNumberField,
    List<String> tags,
    boolean shield,
    List<String> shieldIgnore,
    int shieldMaxEntries) implements RouteSettings {

  /** Which ping id the post step sends (TrackDrive's Ping/Post guide: pick one buyer, or try all). */
  public enum Post {
    BUYER, TRY_ALL;

    static Post parse(String s) {
      return switch (s) {
        case "buyer" -> BUYER;
        case "try_all" -> TRY_ALL;
        default -> null;
      };
    }
  }

  public static final List<String> DEFAULT_SHIELD_IGNORE = List.of("request_id");

  static RingTreeSettings parse(Node n) {
    double floor = n.decimal("floor", 0.0, 0.0, 1_000_000);
    int bidSeconds = n.integer("bidSeconds", 30, 1, 3600);
    int minTransfer = n.integer("minTransferSeconds", 5, 0, 3600);
    if (minTransfer >= bidSeconds && n.has("minTransferSeconds")) {
      n.get("minTransferSeconds").error("must be shorter than bidSeconds (" + bidSeconds + ")");
    }
    int conversion = n.integer("conversionSeconds", 60, 0, 86_400);
    String format = n.string("numberFormat", "e164");
    if (!format.equals("e164") && !format.equals("digits11") && !format.equals("digits10")) {
      n.get("numberFormat").error("unknown value '" + format + "' (expected one of: e164, digits11, digits10)");
    }
    String transfer = n.string("transferNumber", "");
    Post post = n.choice("post", Post.BUYER, Post::parse, "buyer, try_all");
    String postTemplate = n.string("postTemplate", "trackdrive-inbound-post");
    String numberField = n.string("postNumberField", "number");
    List<String> tags = n.strings("tags");
    boolean shield = n.bool("shield", true);
    List<String> ignore = n.has("shieldIgnore") ? n.strings("shieldIgnore") : DEFAULT_SHIELD_IGNORE;
    int maxEntries = n.integer("shieldMaxEntries", 100_000, 1, 10_000_000);
    return new RingTreeSettings(floor, bidSeconds, minTransfer, conversion, format, transfer, post, postTemplate,
        numberField, tags, shield, ignore, maxEntries);
  }
}
