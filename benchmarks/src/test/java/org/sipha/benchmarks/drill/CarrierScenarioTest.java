package org.sipha.benchmarks.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.testsupport.RequiredTool;

/**
 * The drill's carrier ({@code drill/uac_drill.xml}, run by the real SIPp) against a PBX played by this test on
 * 127.0.0.1:15627 (SIPp on 15615, control 15621, media 15623 and 15625): after the 200 it logged, a late 200 of a
 * second dialog (what a hung PBX sends when it resumes) must not move its ACK and BYE to that dialog, or the drill
 * would look for the STOP of one dialog while the carrier ended the other.
 */
class CarrierScenarioTest {
    private static final Pattern TO_TAG = Pattern.compile("(?m)^To:.*;tag=([^;>\\s]+)");

    @TempDir
    Path dir;

    @Test
    void aLate200OfASecondDialogDoesNotChangeTheDialogTheCarrierEnds() throws Exception {
        Path sipp = RequiredTool.require("sipp", "sip-tester");
        Path log = dir.resolve("calls.log");
        try (DatagramSocket pbx = new DatagramSocket(new InetSocketAddress("127.0.0.1", 15627))) {
            pbx.setSoTimeout(10_000);
            Process carrier = new ProcessBuilder(List.of(
                            sipp.toString(),
                            "-sf",
                            Path.of("drill", "uac_drill.xml").toAbsolutePath().toString(),
                            "-i",
                            "127.0.0.1",
                            "-p",
                            "15615",
                            "-cp",
                            "15621",
                            "-mi",
                            "127.0.0.1",
                            "-mp",
                            "15623",
                            "127.0.0.1:15627",
                            "-m",
                            "1",
                            "-d",
                            "300",
                            "-timeout",
                            "20s",
                            "-nostdin",
                            "-trace_logs",
                            "-log_file",
                            log.toString()))
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("sipp.out").toFile())
                    .start();
            try {
                Received invite = receive(pbx, "INVITE ");
                send(pbx, answer(invite.text(), "first"), invite.from());
                receive(pbx, "ACK ");
                send(pbx, answer(invite.text(), "second"), invite.from());
                Received bye = receive(pbx, "BYE ");
                send(pbx, answer(bye.text(), null), bye.from());
                assertTrue(carrier.waitFor(20, TimeUnit.SECONDS), "SIPp ended");
                String logged = Files.readString(log);
                assertTrue(logged.contains(" tag=first"), "the carrier logged the first 200's dialog: " + logged);
                assertEquals("first", toTag(bye.text()), "the BYE ends the dialog the carrier logged");
            } finally {
                carrier.destroyForcibly();
                carrier.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private record Received(String text, SocketAddress from) {}

    /** The next datagram that starts with {@code prefix}, skipping others (e.g. the ACK repeated for the late 200). */
    private static Received receive(DatagramSocket s, String prefix) throws Exception {
        for (int i = 0; i < 20; i++) {
            DatagramPacket p = new DatagramPacket(new byte[65_535], 65_535);
            s.receive(p);
            String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
            if (text.startsWith(prefix)) {
                return new Received(text, p.getSocketAddress());
            }
        }
        throw new AssertionError("no " + prefix.trim() + " among 20 datagrams");
    }

    private static void send(DatagramSocket s, String text, SocketAddress to) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(b, b.length, to));
    }

    /** A 200 to {@code request} (Via, From, To, Call-ID, CSeq copied), the To tag {@code tag} added unless null. */
    private static String answer(String request, String tag) {
        StringBuilder b = new StringBuilder("SIP/2.0 200 OK\r\n");
        for (String line : request.split("\r\n")) {
            if (line.startsWith("Via:")
                    || line.startsWith("From:")
                    || line.startsWith("Call-ID:")
                    || line.startsWith("CSeq:")) {
                b.append(line).append("\r\n");
            } else if (line.startsWith("To:")) {
                b.append(line).append(tag == null ? "" : ";tag=" + tag).append("\r\n");
            }
        }
        return b.append("Contact: <sip:127.0.0.1:15627>\r\nContent-Length: 0\r\n\r\n")
                .toString();
    }

    private static String toTag(String message) {
        Matcher m = TO_TAG.matcher(message);
        return m.find() ? m.group(1) : "";
    }
}
