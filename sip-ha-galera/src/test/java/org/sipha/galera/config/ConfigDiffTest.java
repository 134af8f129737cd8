package org.sipha.galera.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {
    private static final String S1 = "a passphrase of at least thirty-two bytes, one";
    private static final String S2 = "a passphrase of at least thirty-two bytes, two";

    @Test
    void rowsAreKnownBySetAndUriSoAWeightChangeIsOneChangedRow() {
        ConfigContent a = content("1 sip:10.0.0.11:5060 0 0 weight=50\n1 sip:10.0.0.12:5060\n", S1, null);
        ConfigContent b = content("1 sip:10.0.0.11:5060 0 0 weight=10\n1 sip:10.0.0.13:5060\n", S1, null);
        ConfigDiff d = ConfigDiff.between(a, b);
        assertEquals(1, d.rowChanges(ConfigDiff.Kind.ADDED).size());
        assertEquals(1, d.rowChanges(ConfigDiff.Kind.REMOVED).size());
        assertEquals(1, d.rowChanges(ConfigDiff.Kind.CHANGED).size());
        assertTrue(d.keyChanges().isEmpty());
        assertEquals(
                List.of(
                        "~ 1 sip:10.0.0.11:5060 0 0 weight=50  ->  1 sip:10.0.0.11:5060 0 0 weight=10",
                        "+ 1 sip:10.0.0.13:5060 0 0",
                        "- 1 sip:10.0.0.12:5060 0 0"),
                d.lines());
    }

    @Test
    void aKeyRotationIsShownByKeyIdNeverByTheSecret() {
        ConfigContent a = content("1 sip:10.0.0.11:5060\n", S1, null);
        ConfigContent b = content("1 sip:10.0.0.11:5060\n", S2, S1);
        ConfigDiff d = ConfigDiff.between(a, b);
        assertEquals(2, d.keyChanges().size(), d.toString());
        assertTrue(d.toString().contains(ConfigContent.keyId(S2)));
        assertFalse(d.toString().contains(S1) || d.toString().contains(S2), "no secret in the diff");
        assertFalse(b.toString().contains(S1), "no secret in toString");
    }

    @Test
    void theSameContentIsNoChangeAndNothingBeforeIsAllAdded() {
        ConfigContent a = content("1 sip:10.0.0.11:5060\n1 sip:10.0.0.11:5060\n", null, null);
        assertTrue(ConfigDiff.between(a, a).isEmpty());
        assertEquals(
                2, ConfigDiff.between(null, a).rowChanges(ConfigDiff.Kind.ADDED).size(), "a URI listed twice");
    }

    static ConfigContent content(String list, String secret, String previous) {
        return new ConfigContent(DispatcherListText.parse(list), secret, previous);
    }
}
