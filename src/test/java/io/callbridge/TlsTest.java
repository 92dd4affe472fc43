package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.PostgresConfig;
import io.callbridge.config.ServerConfig;
import io.callbridge.testing.Eventually;
import io.callbridge.testing.TestConfigs;
import io.callbridge.testing.TestDb;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** server.tls: both ports over TLS from PEM files; a bad file is a clear start-up error; renewal needs no restart. */
class TlsTest {
  static PostgresConfig db;

  @BeforeAll
  static void schema() {
    db = TestDb.freshSchema(TlsTest.class);
  }

  @AfterAll
  static void drop() {
    TestDb.drop(db);
  }

  @TempDir
  Path dir;

  CallBridgeConfig config(Path cert, Path key) {
    CallBridgeConfig c = TestConfigs.forTest(TestConfigs.ONE_ROUTE, db);
    return c.withServer(c.server().withTls(new ServerConfig.Tls(cert.toString(), key.toString(), Duration.ofMillis(100))));
  }

  /** The fingerprint of the certificate a port serves, and the HTTP status of {@code path} over TLS. */
  static String[] served(int port, String path) throws Exception {
    TrustManager trustAll = new X509TrustManager() {
      public void checkClientTrusted(X509Certificate[] c, String a) {}

      public void checkServerTrusted(X509Certificate[] c, String a) {}

      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, new TrustManager[] {trustAll}, null);
    HttpsURLConnection c = (HttpsURLConnection) new URL("https://127.0.0.1:" + port + path).openConnection();
    c.setSSLSocketFactory(ssl.getSocketFactory());
    c.setHostnameVerifier((h, s) -> true);
    c.setRequestProperty("Connection", "close");
    int status = c.getResponseCode();
    Certificate cert = c.getServerCertificates()[0];
    c.disconnect();
    return new String[] {HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded())),
        Integer.toString(status)};
  }

  @Test
  void bothPortsServeTlsAndARenewedCertificateIsTakenWithoutARestart() throws Exception {
    SelfSignedCertificate first = SelfSignedCertificate.create("callbridge.test");
    SelfSignedCertificate second = SelfSignedCertificate.create("callbridge.test");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Files.copy(Path.of(first.certificatePath()), cert);
    Files.copy(Path.of(first.privateKeyPath()), key);
    Gateway gateway = Gateway.start(config(cert, key)).await();
    try {
      String[] before = served(gateway.publicPort(), "/v1/ping/echo");
      assertThat(before[1]).as("the route answers over TLS (401: no token)").isEqualTo("401");
      assertThat(served(gateway.adminPort(), "/health/live")[1]).isEqualTo("200");

      Files.copy(Path.of(second.certificatePath()), cert, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(Path.of(second.privateKeyPath()), key, StandardCopyOption.REPLACE_EXISTING);
      String after = Eventually.value("the renewed certificate is served", Duration.ofSeconds(20), () -> {
        try {
          String now = served(gateway.publicPort(), "/v1/ping/echo")[0];
          return now.equals(before[0]) ? Optional.empty() : Optional.of(now);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      assertThat(after).isNotEqualTo(before[0]);
      Eventually.until("the admin port too", () -> {
        try {
          return served(gateway.adminPort(), "/health/live")[0].equals(after);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    } finally {
      gateway.stop().await();
      first.delete();
      second.delete();
    }
  }

  @Test
  void aMissingOrWrongFileIsAStartUpErrorThatNamesIt() throws Exception {
    SelfSignedCertificate good = SelfSignedCertificate.create();
    Path notPem = Files.writeString(dir.resolve("cert.txt"), "not a certificate");
    assertThatThrownBy(() -> Gateway.start(config(dir.resolve("missing.pem"), Path.of(good.privateKeyPath()))).await())
        .hasMessageContaining("server.tls.certPath").hasMessageContaining("missing.pem");
    assertThatThrownBy(() -> Gateway.start(config(notPem, Path.of(good.privateKeyPath()))).await())
        .hasMessageContaining("server.tls.certPath").hasMessageContaining("no PEM certificate");
    assertThatThrownBy(() -> Gateway.start(config(Path.of(good.certificatePath()), Path.of(good.certificatePath()))).await())
        .hasMessageContaining("server.tls.keyPath").hasMessageContaining("no PEM private key");
    good.delete();
  }
}
