package org.sipha.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DestinationTest {
    @Test
    void derivesHostPortAndTransportFromTheUri() {
        final Destination d =
                Destination.builder("sip:pbx@127.0.1.1:5080;transport=TCP;lr").build();
        assertEquals("127.0.1.1", d.host());
        assertEquals(5080, d.port());
        assertEquals(Transport.TCP, d.transport());
        assertEquals("sip:pbx@127.0.1.1:5080;transport=TCP;lr", d.id(), "id defaults to the URI");
    }

    @Test
    void sipsDefaultsToTlsOn5061AndIpv6ReferencesKeepTheirBrackets() {
        final Destination d = Destination.builder("sips:[2001:db8::1]").build();
        assertEquals("[2001:db8::1]", d.host());
        assertEquals(5061, d.port());
        assertEquals(Transport.TLS, d.transport());
        assertEquals(
                Transport.UDP, Destination.builder("sip:example.net").build().transport());
    }

    @Test
    void rejectsWhatIsNotASipUriWithAHost() {
        assertThrows(
                IllegalArgumentException.class,
                () -> Destination.builder("http://x").build());
        assertThrows(
                IllegalArgumentException.class,
                () -> Destination.builder("sip:").build());
        assertThrows(
                IllegalArgumentException.class,
                () -> Destination.builder("sip:h:0").build());
        assertThrows(
                IllegalArgumentException.class,
                () -> Destination.builder("sip:h;transport=carrier-pigeon").build());
        assertThrows(
                IllegalArgumentException.class,
                () -> Destination.builder("sip:h").weight(-1).build());
    }

    @Test
    void equalityCoversEveryFieldAndAttributesAreImmutable() {
        final Destination a = Destination.builder("sip:h")
                .id("a")
                .weight(2)
                .attribute("maxload", "5")
                .build();
        assertEquals(a, a.toBuilder().build());
        assertNotEquals(a, a.toBuilder().weight(3).build());
        assertThrows(UnsupportedOperationException.class, () -> a.attributes().put("x", "y"));
    }
}
