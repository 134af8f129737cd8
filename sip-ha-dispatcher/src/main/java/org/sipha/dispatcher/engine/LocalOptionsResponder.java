package org.sipha.dispatcher.engine;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipSyntaxException;
import org.sipha.core.message.SipUriView;

/**
 * Answers an OPTIONS addressed to the proxy itself (its Request-URI has no user part and names the advertised or a
 * listening address), so a health check of the proxy learns whether this proxy takes calls rather than whether
 * some PBX answers: 200 while it does; 503 with Retry-After and a {@code Warning: 399 <proxy> "<why>"} while it
 * drains, refuses new calls (e.g. no site quorum), or has no usable destination. Any other OPTIONS is forwarded as
 * before. Source admission (access list, rate limit) runs first, in {@link RequestGate}. Single-threaded: the
 * owning loop.
 */
final class LocalOptionsResponder {
    private final LoopContext ctx;
    private final SipMessageView msg;
    private final Egress egress;
    private final DispatcherNextHopSelector selector;
    private final String warnAgent;

    LocalOptionsResponder(LoopContext ctx, Egress egress) {
        this.ctx = ctx;
        this.msg = ctx.msg;
        this.egress = egress;
        this.selector = ctx.cfg.selector();
        this.warnAgent = "399 " + ctx.cfg.advertisedHost() + ':' + ctx.cfg.advertisedPort() + " \"";
    }

    /** If the OPTIONS in {@code msg} (from {@code src} on {@code ch}) names the proxy, answers it and returns true. */
    boolean answers(Channel ch, InetSocketAddress src) {
        SipUriView u;
        try {
            u = msg.parsedRequestUri();
        } catch (SipSyntaxException e) {
            return false; // not a URI naming us: forwarded as any other OPTIONS
        }
        if (!ctx.namesProxy(u)) {
            return false;
        }
        String refusal = ctx.newCallRefusal();
        if (refusal != null) {
            egress.reply(ch, src, msg, 503, "Service Unavailable", ctx.retryAfterForNewCall(), warning(refusal));
        } else if (!selector.hasUsableDestination()) {
            egress.reply(
                    ch,
                    src,
                    msg,
                    503,
                    "Service Unavailable",
                    ctx.cfg.retryAfterSeconds(),
                    warning("no usable destination"));
        } else {
            egress.reply(ch, src, msg, 200, "OK", 0);
        }
        return true;
    }

    /** Allocates: only on a refusal, which the request rate limit bounds. */
    private String warning(String why) {
        return warnAgent + why + '"';
    }
}
