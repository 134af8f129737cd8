/**
 * Helpers for the sip-ha modules' tests, used with test scope only and never deployed.
 *
 * <p>{@link org.sipha.testsupport.RequiredTool} is the one rule for external tools: a test whose tool is missing
 * is skipped on a developer's machine and fails under {@code CI=true}, naming the Debian package.
 * {@link org.sipha.testsupport.SippProcess} starts SIPp on 127.0.0.1 and ends it by its own pid, never by name.
 */
package org.sipha.testsupport;
