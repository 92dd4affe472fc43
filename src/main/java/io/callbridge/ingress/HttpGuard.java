package io.callbridge.ingress;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * What the HTTP decoder lets through but Vert.x would answer badly, answered here as JSON and the
 * connection closed: a request line with a version other than HTTP/1.0 or 1.1 (505, where Vert.x says 501)
 * and a body whose chunked encoding is broken (400, where Vert.x closes without a word). Sits right
 * after Netty's HTTP decoder on each public connection ({@link PublicServer}).
 */
final class HttpGuard extends ChannelInboundHandlerAdapter {
  static final String NAME = "callbridge-http-guard";
  private boolean refused;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest req && req.decoderResult().isSuccess()
        && (!"HTTP".equals(req.protocolVersion().protocolName()) || req.protocolVersion().majorVersion() != 1
            || req.protocolVersion().minorVersion() > 1)) {
      refuse(ctx, msg, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
          "HTTP version " + req.protocolVersion().text() + " not supported: use HTTP/1.1");
      return;
    }
    if (msg instanceof HttpContent content && !(msg instanceof HttpRequest) && content.decoderResult().isFailure()) {
      refuse(ctx, msg, HttpResponseStatus.BAD_REQUEST, "malformed request body: "
          + content.decoderResult().cause().getMessage());
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private void refuse(ChannelHandlerContext ctx, Object msg, HttpResponseStatus status, String error) {
    refused = true;
    ReferenceCountUtil.release(msg);
    byte[] body = ("{\"error\":" + io.vertx.core.json.Json.encode(error) + ",\"field\":\"body\"}")
        .getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .set(HttpHeaderNames.CONTENT_LENGTH, body.length).set(HttpHeaderNames.CONNECTION, "close");
    // From the tail, so the HTTP encoder (after this handler in the pipeline) writes it.
    ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
