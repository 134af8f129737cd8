package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.SipMessageEditor;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipUriView;

/**
 * What the layers of one event loop share: the configuration, the clock, the loop's index (carried in stateful
 * branches), the server it runs in, and the objects every message is read and edited through (two message views,
 * the editor, the address cache), reused from message to message, and its call accounting. One per loop, made with its
 * {@link LoopChannelHandler}; used only on that loop's thread.
 */
final class LoopContext {
    final int index;
    final ProxyConfig cfg;
    /** Null in the in-memory pipeline: no other loops, no draining, no health probes. */
    final SipProxyServer server;

    final NanoClock clock;
    /** The message being handled. */
    final SipMessageView msg = new SipMessageView();
    /** A call's stored INVITE, while {@link #msg} holds the message that concerns it. */
    final SipMessageView aux = new SipMessageView();

    final SipMessageEditor editor = new SipMessageEditor();
    final AddressCache addresses = new AddressCache();
    final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    /** Messages dropped and new calls refused, by reason (written by this loop, read by any thread). */
    final RefusalCounters refusals = new RefusalCounters();
    /** Requests by method, responses sent by class, failovers (written by this loop, read by any thread). */
    final TrafficCounters traffic = new TrafficCounters();
    /** Forwarded requests and responses per destination (written by this loop, read by any thread). */
    final DestinationCounters destinations = new DestinationCounters();
    /** Call accounting (a no-op unless configured). */
    final AccountingRecorder accounting;

    /** The listening addresses as a Request-URI would name them (host text, port), for {@link #namesProxy}. */
    private final String[] listenHosts;

    private final int[] listenPorts;

    LoopContext(int index, ProxyConfig cfg, SipProxyServer server) {
        this.index = index;
        this.cfg = cfg;
        this.server = server;
        this.clock = cfg.clock();
        this.accounting = new AccountingRecorder(cfg, index);
        List<InetSocketAddress> listen = new ArrayList<>(cfg.udpListen());
        listen.addAll(cfg.tcpListen());
        this.listenHosts = new String[listen.size()];
        this.listenPorts = new int[listen.size()];
        for (int i = 0; i < listenHosts.length; i++) {
            String h = listen.get(i).getAddress().getHostAddress();
            listenHosts[i] = h.indexOf(':') >= 0 ? '[' + h + ']' : h;
            listenPorts[i] = listen.get(i).getPort();
        }
    }

    static boolean isStream(Channel ch) {
        return ch instanceof io.netty.channel.socket.SocketChannel;
    }

    /** True if {@code u} names this proxy (advertised host and port). */
    boolean isOwnUri(SipUriView u) {
        return u.host() != null
                && u.host().contentEqualsIgnoreCase(cfg.advertisedHost())
                && (u.port() < 0 ? 5060 : u.port()) == cfg.advertisedPort();
    }

    /** True if {@code u} names the proxy itself: no user part, and its advertised or a listening host and port. */
    boolean namesProxy(SipUriView u) {
        if (u.user() != null || u.host() == null) {
            return false;
        }
        if (isOwnUri(u)) {
            return true;
        }
        int port = u.port() < 0 ? 5060 : u.port();
        for (int i = 0; i < listenHosts.length; i++) {
            if (port == listenPorts[i] && u.host().contentEqualsIgnoreCase(listenHosts[i])) {
                return true;
            }
        }
        return false;
    }

    /** The address of an IP-literal {@code host} (port 5060 if none); null for a name or no host. */
    InetSocketAddress resolve(AsciiView host, int port) {
        if (host == null) {
            return null;
        }
        return addresses.resolve(host.buffer(), host.offset(), host.length(), port < 0 ? 5060 : port);
    }

    /**
     * Whether a destination's silence since {@code sinceNs} is real: only if no loop of this proxy fell behind
     * since then, else the answers may be waiting in our own sockets. Failover happens either way.
     */
    boolean silenceIsReal(long sinceNs) {
        return server == null || server.quietSince(sinceNs);
    }

    /** True while new calls are refused (draining, or refused by the embedder). */
    boolean refusesNewCalls() {
        return server != null && server.isDraining();
    }

    /** Why new calls are refused ("draining", "refusing new calls"), or null while they are taken. */
    String newCallRefusal() {
        return server == null ? null : server.newCallRefusal();
    }

    /** The Retry-After of a 503 to a new call: the refusal's if it set one, else the configured one. */
    int retryAfterForNewCall() {
        return server == null ? cfg.retryAfterSeconds() : server.retryAfterSeconds(cfg.retryAfterSeconds());
    }
}
