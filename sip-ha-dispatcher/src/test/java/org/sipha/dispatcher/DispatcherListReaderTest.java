package org.sipha.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;
import org.sipha.core.model.Transport;

class DispatcherListReaderTest {
    private static DispatcherListReader.Result readSample() throws IOException {
        try (Reader r = new InputStreamReader(
                DispatcherListReaderTest.class.getResourceAsStream("/dispatcher.list"), StandardCharsets.UTF_8)) {
            return DispatcherListReader.read(r, Algorithm.PRIORITY_GROUPS);
        }
    }

    private static DispatcherListException failure(final String list) {
        return assertThrows(
                DispatcherListException.class,
                () -> DispatcherListReader.read(new StringReader(list), Algorithm.ROUND_ROBIN));
    }

    @Test
    void readsSetsDestinationsPrioritiesAndAttributesOfKamailiosFormat() throws IOException {
        final DispatcherConfig config = readSample().config();
        assertEquals(List.of(1, 2), List.copyOf(config.sets().keySet()));
        final List<Destination> set1 = config.sets().get(1).destinations();
        assertEquals(
                List.of("pbx1", "pbx2", "standby"),
                set1.stream().map(Destination::id).toList());
        final Destination pbx2 = set1.get(1);
        assertEquals("sip:127.0.1.2:5060;transport=tcp", pbx2.uri());
        assertEquals("127.0.1.2", pbx2.host());
        assertEquals(5060, pbx2.port());
        assertEquals(Transport.TCP, pbx2.transport());
        assertEquals(50, pbx2.weight());
        assertEquals(10, pbx2.priority());
        assertEquals(
                Map.of("duid", "pbx2", "weight", "50", "maxload", "100", "socket", "udp:127.0.1.9:5060"),
                pbx2.attributes());
        assertEquals(Algorithm.PRIORITY_GROUPS, config.sets().get(1).algorithm());
    }

    @Test
    void destinationWithoutDuidIsIdentifiedByItsUriAndDefaultsToWeightOne() throws IOException {
        final Destination media1 =
                readSample().config().sets().get(2).destinations().get(0);
        assertEquals("sip:media1.example.net", media1.id());
        assertEquals(1, media1.weight());
        assertEquals(0, media1.priority());
        assertEquals(5060, media1.port());
        final Destination media2 =
                readSample().config().sets().get(2).destinations().get(1);
        assertEquals(Transport.TLS, media2.transport());
        assertEquals(5071, media2.port());
        assertEquals(
                "[2001:db8::7]",
                readSample().config().sets().get(2).destinations().get(2).host());
    }

    @Test
    void flagsGiveTheInitialStateAndProbingDestinationsStayActive() throws IOException {
        final DispatcherConfig config = readSample().config();
        assertEquals(DestinationState.ACTIVE, config.initialState("standby"));
        assertEquals(DestinationState.DISABLED, config.initialState("sips:media2.example.net:5071"));
        assertEquals(DestinationState.INACTIVE, config.initialState("v6"));
        final RoutingTable table = new RoutingTableOwner(config).table();
        assertEquals(DestinationState.DISABLED, table.state("sips:media2.example.net:5071"));
        assertEquals(1, table.set(2).activeCount());
    }

    @Test
    void eachSetsOwnRowsGiveItsInitialStates() throws IOException {
        final DispatcherListReader.Result r = DispatcherListReader.read(
                new StringReader("1 sip:10.0.0.1:5060 0\n1 sip:10.0.0.2:5060 1\n2 sip:10.0.0.1:5060 4\n"),
                Algorithm.PRIORITY_GROUPS);
        assertEquals(DestinationState.ACTIVE, r.rowState(1, "sip:10.0.0.1:5060"));
        assertEquals(DestinationState.INACTIVE, r.rowState(1, "sip:10.0.0.2:5060"));
        assertEquals(DestinationState.DISABLED, r.rowState(2, "sip:10.0.0.1:5060"));
        assertEquals(DestinationState.ACTIVE, r.rowState(3, "sip:10.0.0.1:5060"), "no such set");
        assertEquals(
                DestinationState.DISABLED, r.config().initialState("sip:10.0.0.1:5060"), "one table: any set's flag");
    }

    @Test
    void unknownAttributesAreKeptAndReportedWithTheirLine() throws IOException {
        final DispatcherListReader.Result result = readSample();
        assertEquals(List.of("line 11: unknown attribute 'region' kept"), result.warnings());
        assertEquals(
                "eu-west", result.config().sets().get(2).destinations().get(2).attribute("region"));
    }

    @Test
    void malformedLinesAreRejectedNamingTheLineAndTheProblem() {
        assertEquals(
                "line 2: set id is not an integer: 'one'",
                failure("# c\none sip:a\n").getMessage());
        assertEquals(
                "line 1: expected 'setid destination [flags [priority [attrs]]]'",
                failure("1\n").getMessage());
        assertEquals(
                "line 3: bad destination: not a sip: or sips: URI: 'http://a'",
                failure("1 sip:a\n\n1 http://a\n").getMessage());
        assertEquals(
                "line 1: flags is not an integer: 'x'", failure("1 sip:a x\n").getMessage());
        assertEquals(
                "line 1: priority must not be negative: '-3'",
                failure("1 sip:a 0 -3\n").getMessage());
        assertEquals(
                "line 1: attribute 'weight50' is not name=value",
                failure("1 sip:a 0 0 weight50\n").getMessage());
        assertEquals(
                "line 1: weight is not an integer: 'heavy'",
                failure("1 sip:a 0 0 weight=heavy\n").getMessage());
        assertEquals(
                "line 1: maxload is not an integer: '1e3'",
                failure("1 sip:a 0 0 maxload=1e3\n").getMessage());
        assertEquals(
                "line 2: destination 'x' already in set 1",
                failure("1 sip:a 0 0 duid=x\n1 sip:b 0 0 duid=x\n").getMessage());
        assertEquals(
                "line 1: unexpected text after the attributes: 'extra'",
                failure("1 sip:a 0 0 weight=1 extra\n").getMessage());
        assertEquals(4, failure("\n\n\n1 sip:a:99999\n").lineNumber());
    }
}
