package io.callbridge.outbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one SHA-256 of the outbox: the first 16 bytes, as hex, of the parts fed in order. Idempotency
 * keys and fingerprints are stored, so the parts (and where a 0 separator goes) never change.
 */
final class Digests {
  static final byte[] SEPARATOR = {0};

  private Digests() {}

  static String sha256(byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        md.update(p);
      }
      return HexFormat.of().formatHex(md.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Each text followed by a 0 byte. */
  static String ofTexts(String... texts) {
    byte[][] parts = new byte[texts.length * 2][];
    for (int i = 0; i < texts.length; i++) {
      parts[2 * i] = texts[i].getBytes(StandardCharsets.UTF_8);
      parts[2 * i + 1] = SEPARATOR;
    }
    return sha256(parts);
  }
}
