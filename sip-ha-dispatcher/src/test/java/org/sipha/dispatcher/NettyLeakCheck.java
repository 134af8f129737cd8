package org.sipha.dispatcher;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.sipha.testsupport.NettyLeaks;

/**
 * Fails a test class if a Netty buffer leaked while it ran (or a class before it, not yet collected). Registered
 * for every test class of this module by JUnit's extension autodetection (src/test/resources); the surefire
 * configuration sets {@code sipha.leakDetection=paranoid} so that every buffer is tracked.
 */
public final class NettyLeakCheck implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
        NettyLeaks.assertNoLeaks();
    }
}
