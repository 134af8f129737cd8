package org.sipha.health;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;
import org.sipha.core.spi.HealthProbeBranch;
import org.sipha.core.spi.HealthProbeTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends SIP OPTIONS to each destination on its own jittered schedule, matches replies by Call-ID and reports
 * success (with round-trip time) or failure (timeout, rejected code, send failure). At most one probe per
 * destination is outstanding. Runs inside the owner's duty cycle: owner thread only.
 *
 * <p>Call-ID layout: {@code sipha-hc-<destination index>-<sequence>}, so a reply is matched without allocating.
 */
final class OptionsProber implements HealthProbeTransport.ReplyHandler {
    private static final Logger LOG = LoggerFactory.getLogger(OptionsProber.class);
    private static final String CALL_ID_PREFIX = "sipha-hc-";
    private static final int POLL_LIMIT = 256;

    /** Where results go (the monitor). */
    interface Results {
        void onSuccess(DestinationHealth h, long rttNs, long nowNs);

        void onFailure(DestinationHealth h, HealthCause cause, long nowNs);
    }

    private final OptionsProbeConfig config;
    private final HealthProbeTransport transport;
    private final DestinationHealth[] targets;
    private final String[] requestUris;
    private final long[] intervalNs;
    private final long[] nextProbeNs;
    private final long[] sentNs;
    private final long[] outstandingSeq;
    private final SplittableRandom random;
    private final Results results;
    private final SipMessageView view = new SipMessageView();
    private long sequence;
    private long nowNs;
    private long unmatchedReplies;
    private long malformedReplies;

    OptionsProber(
            final OptionsProbeConfig config,
            final HealthProbeTransport transport,
            final DestinationHealth[] targets,
            final long seed,
            final Results results) {
        this(config, transport, targets, new SplittableRandom(seed), results, 0);
    }

    /**
     * A prober of {@code targets} that numbers its probes on from {@code lastSequence}: a successor to a prober of
     * the same transport, whose late replies then match nothing here. Every target is probed on the first cycle.
     */
    OptionsProber(
            final OptionsProbeConfig config,
            final HealthProbeTransport transport,
            final DestinationHealth[] targets,
            final SplittableRandom random,
            final Results results,
            final long lastSequence) {
        this.config = config;
        this.transport = transport;
        this.targets = targets;
        this.results = results;
        this.random = random;
        this.sequence = lastSequence;
        final int n = targets.length;
        requestUris = new String[n];
        intervalNs = new long[n];
        nextProbeNs = new long[n];
        sentNs = new long[n];
        outstandingSeq = new long[n];
        for (int i = 0; i < n; i++) {
            final var d = targets[i].destination;
            final String uri = d.attribute(OptionsProbeConfig.ATTR_REQUEST_URI);
            requestUris[i] =
                    OptionsProbeConfig.checkHeaderSafe(uri != null ? uri : stripParams(d.uri()), "request URI");
            final String ms = d.attribute(OptionsProbeConfig.ATTR_INTERVAL_MS);
            intervalNs[i] = ms == null ? config.intervalNs : parseIntervalMs(d.id(), ms, config.timeoutNs);
            nextProbeNs[i] = Long.MIN_VALUE; // first probe on the first duty cycle
            outstandingSeq[i] = -1;
        }
    }

    int doWork(final long nowNs) {
        this.nowNs = nowNs;
        int work = transport.poll(this, POLL_LIMIT);
        for (int i = 0; i < targets.length; i++) {
            if (outstandingSeq[i] >= 0 && nowNs - sentNs[i] >= config.timeoutNs) {
                outstandingSeq[i] = -1;
                results.onFailure(targets[i], HealthCause.PROBE_TIMEOUT, nowNs);
                work++;
            }
            if (outstandingSeq[i] < 0 && (nextProbeNs[i] == Long.MIN_VALUE || nowNs - nextProbeNs[i] >= 0)) {
                send(i, nowNs);
                work++;
            }
        }
        return work;
    }

    @Override
    public void onReply(final InetSocketAddress from, final byte[] buffer, final int offset, final int length) {
        final SipParseResult r = view.wrap(buffer, offset, length);
        if (r != SipParseResult.OK || !view.isResponse()) {
            malformedReplies++;
            return;
        }
        final int code = view.statusCode();
        if (code < 200) {
            return; // provisional: keep waiting for the final reply
        }
        final AsciiView callId = view.callId();
        final int index = (int) numberAt(callId, CALL_ID_PREFIX.length(), '-');
        if (index < 0 || index >= targets.length || !startsWith(callId, CALL_ID_PREFIX)) {
            unmatchedReplies++;
            return;
        }
        final int dash = indexOf(callId, '-', CALL_ID_PREFIX.length());
        final long seq = dash < 0 ? -1 : numberAt(callId, dash + 1, (char) 0);
        if (seq < 0 || seq != outstandingSeq[index]) {
            unmatchedReplies++; // late reply to a probe that already timed out
            return;
        }
        outstandingSeq[index] = -1;
        if (config.replyCodes.isAlive(code)) {
            results.onSuccess(targets[index], Math.max(0, nowNs - sentNs[index]), nowNs);
        } else {
            results.onFailure(targets[index], HealthCause.PROBE_REJECTED, nowNs);
        }
    }

    void close() {
        transport.close();
    }

    /** A prober of {@code next} on the same transport, numbering on from this one (see the constructor). */
    OptionsProber retarget(final DestinationHealth[] next) {
        return new OptionsProber(config, transport, next, random, results, sequence);
    }

    long unmatchedReplies() {
        return unmatchedReplies;
    }

    long malformedReplies() {
        return malformedReplies;
    }

    private void send(final int i, final long nowNs) {
        final long seq = ++sequence;
        final byte[] request = buildRequest(i, seq);
        final long base = intervalNs[i];
        final long spread = (long) (base * config.jitter);
        nextProbeNs[i] = nowNs + base + (spread == 0 ? 0 : random.nextLong(-spread, spread + 1));
        sentNs[i] = nowNs;
        boolean sent;
        try {
            sent = transport.send(targets[i].address, ByteBuffer.wrap(request));
        } catch (final RuntimeException e) {
            LOG.debug("probe to {} failed to send", targets[i].id(), e);
            sent = false;
        }
        if (sent) {
            outstandingSeq[i] = seq;
        } else {
            results.onFailure(targets[i], HealthCause.PROBE_SEND_FAILED, nowNs);
        }
    }

    // Probes are sent at most a few per second per destination: building the text is not on a hot path.
    byte[] buildRequest(final int i, final long seq) {
        final InetSocketAddress local = transport.localAddress();
        final String host = local.getAddress() != null ? local.getAddress().getHostAddress() : local.getHostString();
        final String viaHost = host.indexOf(':') >= 0 ? '[' + host + ']' : host;
        final String ruri = requestUris[i];
        final String s = "OPTIONS " + ruri + " SIP/2.0\r\n" + "Via: SIP/2.0/UDP "
                + viaHost + ':' + local.getPort() + ";branch="
                + HealthProbeBranch.PREFIX + i + '-' + seq + ";rport\r\n" + "Max-Forwards: 70\r\n"
                + "From: <"
                + config.fromUri + ">;tag=sipha-hc-" + i + "\r\n" + "To: <"
                + ruri + ">\r\n" + "Call-ID: "
                + CALL_ID_PREFIX + i + '-' + seq + "\r\n" + "CSeq: "
                + (seq & 0x7fffffffL) + " OPTIONS\r\n" + "User-Agent: "
                + config.userAgent + "\r\n" + "Content-Length: 0\r\n\r\n";
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String stripParams(final String uri) {
        // The Request-URI is the destination URI without parameters such as ;transport=... that describe the hop.
        final int semi = uri.indexOf(';');
        return semi < 0 ? uri : uri.substring(0, semi);
    }

    private static long parseIntervalMs(final String id, final String ms, final long timeoutNs) {
        final long v;
        try {
            v = Long.parseLong(ms.trim());
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(
                    "destination '" + id + "': bad " + OptionsProbeConfig.ATTR_INTERVAL_MS + " '" + ms + "'");
        }
        final long ns = v * 1_000_000L;
        if (v < 10 || v > 86_400_000L || ns < timeoutNs) {
            throw new IllegalArgumentException("destination '" + id + "': " + OptionsProbeConfig.ATTR_INTERVAL_MS
                    + " must be 10..86400000 and not below the probe timeout: " + ms);
        }
        return ns;
    }

    private static boolean startsWith(final CharSequence s, final String prefix) {
        if (s.length() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (s.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(final CharSequence s, final char c, final int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /** Decimal number from {@code from} up to {@code end} (or the end); -1 if none or too long. */
    private static long numberAt(final CharSequence s, final int from, final char end) {
        long v = 0;
        int digits = 0;
        for (int i = from; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c == end) {
                break;
            }
            if (c < '0' || c > '9' || ++digits > 18) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return digits == 0 ? -1 : v;
    }
}
