package io.callbridge.ingress;

import io.callbridge.config.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.logging.Logger;

/**
 * {@code server.tls}: both ports serve TLS from a PEM certificate chain and its PEM private key.
 * The files are checked before anything listens (a start-up error names the file and what is
 * wrong with it), and read again every {@code reloadInterval}: when their bytes changed, the server
 * takes the new certificate for new connections, without a restart (Vert.x's
 * {@code updateSSLOptions}). A change that does not load is logged and the old certificate stays.
 */
final class TlsFiles {
  private static final Logger LOG = Logger.getLogger(TlsFiles.class.getName());

  private final ServerConfig.Tls tls;
  private byte[] cert;
  private byte[] key;

  private TlsFiles(ServerConfig.Tls tls, byte[] cert, byte[] key) {
    this.tls = tls;
    this.cert = cert;
    this.key = key;
  }

  /** Reads and checks the files; the exception's message says which file and what to do. */
  static TlsFiles load(ServerConfig.Tls tls) {
    byte[] cert = read(tls.certPath(), "certPath");
    byte[] key = read(tls.keyPath(), "keyPath");
    check(tls, cert, key);
    return new TlsFiles(tls, cert, key);
  }

  /** Sets TLS on a server's options. */
  HttpServerOptions apply(HttpServerOptions options) {
    return options.setSsl(true).setKeyCertOptions(keyCert(cert, key));
  }

  /**
   * For a server about to listen: with {@code tls} (null: plain HTTP) the files are checked and set
   * on {@code options}; the returned files are then watched once it listens ({@link #watch}).
   * Throws {@link IllegalStateException} naming the file when one is missing or wrong.
   */
  static TlsFiles onto(ServerConfig.Tls tls, HttpServerOptions options) {
    if (tls == null) {
      return null;
    }
    TlsFiles files = load(tls);
    files.apply(options);
    return files;
  }

  /** Checks the files every reloadInterval on {@code vertx} and updates {@code server} when they changed. */
  long watch(Vertx vertx, HttpServer server) {
    return vertx.setPeriodic(tls.reloadInterval().toMillis(), id -> vertx.executeBlocking(() -> {
      byte[] c = read(tls.certPath(), "certPath");
      byte[] k = read(tls.keyPath(), "keyPath");
      if (Arrays.equals(c, cert) && Arrays.equals(k, key)) {
        return null;
      }
      check(tls, c, k);
      return new byte[][] {c, k};
    }, false).compose(changed -> {
      if (changed == null) {
        return io.vertx.core.Future.succeededFuture(false);
      }
      return server.updateSSLOptions(new ServerSSLOptions().setKeyCertOptions(keyCert(changed[0], changed[1])))
          .onSuccess(done -> {
            cert = changed[0];
            key = changed[1];
            LOG.info("server.tls: new certificate from " + tls.certPath() + " in use for new connections");
          });
    }).onFailure(e -> LOG.warning("server.tls: the changed files were not taken (" + e.getMessage()
        + "); the previous certificate stays in use")));
  }

  private static PemKeyCertOptions keyCert(byte[] cert, byte[] key) {
    return new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key));
  }

  private static byte[] read(String path, String what) {
    try {
      return Files.readAllBytes(Path.of(path));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("server.tls." + what + ": cannot read " + path + " (" + e + "): give the path of a"
          + " readable PEM file");
    }
  }

  private static void check(ServerConfig.Tls tls, byte[] cert, byte[] key) {
    String certText = new String(cert, StandardCharsets.US_ASCII);
    if (!certText.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalStateException("server.tls.certPath: " + tls.certPath() + " holds no PEM certificate"
          + " (-----BEGIN CERTIFICATE-----): give the certificate chain, the server's first");
    }
    try {
      if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(cert)).isEmpty()) {
        throw new CertificateException("no certificate in it");
      }
    } catch (CertificateException e) {
      throw new IllegalStateException("server.tls.certPath: " + tls.certPath() + " is not a readable certificate ("
          + e.getMessage() + ")");
    }
    String keyText = new String(key, StandardCharsets.US_ASCII);
    if (!keyText.contains("PRIVATE KEY-----")) {
      throw new IllegalStateException("server.tls.keyPath: " + tls.keyPath() + " holds no PEM private key"
          + " (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)");
    }
  }
}
