package io.callbridge.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback that a test can cut and restore: how a test makes PostgreSQL (or any
 * upstream) unreachable for the code under test without stopping the machine's real server.
 */
public final class TcpProxy implements AutoCloseable {
  private final Vertx vertx;
  private final NetServer server;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean open = true;

  private TcpProxy(Vertx vertx, NetServer server, NetClient client) {
    this.vertx = vertx;
    this.server = server;
    this.client = client;
  }

  public static TcpProxy start(String targetHost, int targetPort) {
    Vertx vertx = Vertx.vertx();
    NetClient client = vertx.createNetClient();
    NetServer server = vertx.createNetServer();
    TcpProxy proxy = new TcpProxy(vertx, server, client);
    server.connectHandler(in -> {
      if (!proxy.open) {
        in.close();
        return;
      }
      in.pause();
      client.connect(targetPort, targetHost).onComplete(ar -> {
        if (ar.failed()) {
          in.close();
          return;
        }
        NetSocket out = ar.result();
        proxy.sockets.add(in);
        proxy.sockets.add(out);
        in.handler(out::write);
        out.handler(in::write);
        in.closeHandler(v -> out.close());
        out.closeHandler(v -> in.close());
        in.resume();
      });
    });
    server.listen(0, "127.0.0.1").await();
    return proxy;
  }

  public int port() {
    return server.actualPort();
  }

  /** Refuses new connections (closed at once) and drops the open ones. */
  public void cut() {
    open = false;
    sockets.forEach(NetSocket::close);
    sockets.clear();
  }

  public void restore() {
    open = true;
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
