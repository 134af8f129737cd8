package org.sipha.testsupport;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs {@link NettyLeaks} when the JUnit launcher session opens, before any test class loads Netty's buffers,
 * if the system property {@code sipha.leakDetection} is {@code paranoid} (set per module in its surefire
 * configuration: PARANOID tracking slows the tests that move many buffers).
 */
public final class NettyLeakDetectionSession implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if ("paranoid".equals(System.getProperty("sipha.leakDetection"))) {
            NettyLeaks.install();
        }
    }
}
