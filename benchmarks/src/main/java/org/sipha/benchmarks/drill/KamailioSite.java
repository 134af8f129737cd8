package org.sipha.benchmarks.drill;

import java.nio.file.Path;
import java.util.List;

/** Placeholder until the anchor is written. */
final class KamailioSite implements SiteProxy {
    KamailioSite(ChildProcesses children, Topology.Site site, DrillOptions options, List<String> backends, Path dir) {
        throw new UnsupportedOperationException("the Kamailio anchor is not written yet");
    }

    @Override
    public void start() {}

    @Override
    public void kill() {}

    @Override
    public void hang() {}

    @Override
    public void resume() {}

    @Override
    public void killSpeaker() {}

    @Override
    public void plannedStop() {}

    @Override
    public void stopForRestart() {}

    @Override
    public String describe() {
        return "";
    }
}
