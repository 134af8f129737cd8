package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Counts active destinations in output captured from Kamailio 5.6.3 (dispatcher module, six destinations in two
 * sets, states set with the list file's flags and {@code kamcmd dispatcher.set_state}).
 */
class KamailioDispatcherListTest {
    @Test
    void countsOnlyActiveDestinationsInKamcmdOutput() throws IOException {
        // set 2: TX, DX (with ATTRS), IX; set 1: AP, IP, AX
        assertEquals(
                new KamailioDispatcherList.Count(2, 6),
                KamailioDispatcherList.count(resource("kamcmd-dispatcher-list.txt")));
    }

    @Test
    void readsTheJsonRpcRenderingTheSameWay() throws IOException {
        // set 2: TX, DX, IX; set 1: AP, AX, AX
        assertEquals(
                new KamailioDispatcherList.Count(3, 6),
                KamailioDispatcherList.count(resource("jsonrpc-dispatcher-list.json")));
    }

    @Test
    void activeMeansTheStateLetterA() {
        String out = String.join(
                "\n",
                "\t\t\t\t\tFLAGS: AX",
                "\t\t\t\t\tFLAGS: AP",
                "\t\t\t\t\tFLAGS: IP",
                "\t\t\t\t\tFLAGS: TP",
                "\t\t\t\t\tFLAGS: DX",
                "\t\t\t\t\tURI: sip:a@FLAGS",
                "\t\t\t\t\tFLAGSX: AX",
                "");
        assertEquals(new KamailioDispatcherList.Count(2, 5), KamailioDispatcherList.count(out));
    }

    @Test
    void outputWithoutDestinationsCountsNothing() {
        assertEquals(
                new KamailioDispatcherList.Count(0, 0),
                KamailioDispatcherList.count("error: 500 - command dispatcher.list not found\n"));
        assertEquals(new KamailioDispatcherList.Count(0, 0), KamailioDispatcherList.count(""));
    }

    static String resource(String name) throws IOException {
        try (InputStream in = KamailioDispatcherListTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("test resource missing: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
