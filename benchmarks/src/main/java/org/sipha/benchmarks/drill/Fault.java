package org.sipha.benchmarks.drill;

/** The failures of the drill, in the order it injects them; {@code inShort}: part of the CI short form. */
enum Fault {
    PBX_KILLED("1a", "a PBX of site A crashes (SIGKILL)", true),
    PBX_HUNG("1b", "a PBX of site A hangs (SIGSTOP)", true),
    PROXY_KILLED("2", "site A's proxy crashes (SIGKILL)", true),
    PROXY_HUNG("3", "site A's proxy hangs (SIGSTOP)", true),
    SPEAKER_KILLED("4", "site A's BGP speaker dies (SIGKILL)", true),
    BOTH_PBXS_KILLED("5", "both PBXs of site A die (SIGKILL)", true),
    QUORUM_LOST("6", "site A's Galera nodes lose quorum (its inter-site link cut)", false),
    SITE_DARK("7", "site A goes dark (every link down)", false),
    MAINTENANCE("8", "planned maintenance of site A (drain, then stop)", true),
    CONFIG_PUSHED("9", "a configuration change pushed under load (a PBX of site A taken out)", true);

    final String id;
    final String description;
    final boolean inShort;

    Fault(String id, String description, boolean inShort) {
        this.id = id;
        this.description = description;
        this.inShort = inShort;
    }
}
