package org.sipha.health;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;
import org.sipha.core.spi.HealthProbeTransport;

/** A fake transport for prober unit tests: keeps sent requests, delivers queued replies. One thread. */
final class InMemoryProbeTransport implements HealthProbeTransport {
    record Sent(InetSocketAddress to, String text) {}

    final List<Sent> sent = new ArrayList<>();
    final ArrayDeque<byte[]> replies = new ArrayDeque<>();
    boolean refuseSends;
    /** When set, replies queued from now on come from this address instead of the probed destination's. */
    InetSocketAddress forgedFrom;
    /** Where each reply queued by {@link #answerLast} comes from, decided when it is queued. */
    private final Map<byte[], InetSocketAddress> sourceOf = new IdentityHashMap<>();

    boolean closed;

    @Override
    public boolean send(final InetSocketAddress destination, final ByteBuffer request) {
        if (refuseSends) {
            return false;
        }
        final byte[] b = new byte[request.remaining()];
        request.get(b);
        sent.add(new Sent(destination, new String(b, StandardCharsets.US_ASCII)));
        return true;
    }

    @Override
    public int poll(final ReplyHandler handler, final int limit) {
        int n = 0;
        while (n < limit && !replies.isEmpty()) {
            final byte[] r = replies.poll();
            final InetSocketAddress from = sourceOf.remove(r);
            handler.onReply(from != null ? from : replyFrom(), r, 0, r.length);
            n++;
        }
        return n;
    }

    /** The source of a reply: {@link #forgedFrom} if set, else the last probe's destination. */
    private InetSocketAddress replyFrom() {
        if (forgedFrom != null) {
            return forgedFrom;
        }
        return sent.isEmpty()
                ? new InetSocketAddress("127.0.0.1", 5071)
                : sent.get(sent.size() - 1).to();
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 15999);
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Queues a reply with {@code code} to the last request sent, copying its dialog headers as a UAS would. */
    void answerLast(final int code) {
        final byte[] r = reply(sent.get(sent.size() - 1).text(), code);
        sourceOf.put(r, replyFrom());
        replies.add(r);
    }

    static byte[] reply(final String request, final int code) {
        final SipMessageView v = new SipMessageView();
        final byte[] req = request.getBytes(StandardCharsets.US_ASCII);
        if (v.wrap(req, 0, req.length) != SipParseResult.OK) {
            throw new IllegalStateException("request does not parse: " + request);
        }
        final String r = "SIP/2.0 " + code + " Whatever\r\n" + "Via: "
                + v.header("Via") + "\r\n" + "From: "
                + v.header("From") + "\r\n" + "To: "
                + v.header("To") + ";tag=uas\r\n" + "Call-ID: "
                + v.callId() + "\r\n" + "CSeq: "
                + v.header("CSeq") + "\r\n" + "Content-Length: 0\r\n\r\n";
        return r.getBytes(StandardCharsets.US_ASCII);
    }
}
