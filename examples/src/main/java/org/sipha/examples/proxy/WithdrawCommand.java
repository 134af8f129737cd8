package org.sipha.examples.proxy;

import java.io.PrintStream;
import java.util.Map;
import org.sipha.anycast.AnnouncerException;
import org.sipha.anycast.LogbackSettings;

/**
 * {@code --withdraw}: withdraws the site node's anycast route through the announcer its options name, and exits.
 * systemd runs it after the proxy stopped, however it stopped ({@code ExecStopPost} in
 * {@code packaging/systemd/sip-ha-proxy.service}): a JVM killed together with its dead-man relay (SIGKILL to the
 * whole unit, an out-of-memory kill of the group) has left nobody else to withdraw. Run once by the main thread.
 */
final class WithdrawCommand {
    private static final int ATTEMPTS = 25; // about 5 s while the daemon is unreachable

    private WithdrawCommand() {}

    /**
     * Withdraws what {@code cmd} and {@code env} configure.
     *
     * @return the exit status: 0 withdrawn (or no {@code --anycast}), 1 the daemon could not be reached, 2 bad
     *     configuration
     */
    static int run(ProxyCommandLine.Parsed cmd, Map<String, String> env, PrintStream out, PrintStream err) {
        SiteNodeOptions.Settings s;
        try {
            ProxyOptions o = ProxyOptions.resolve(cmd, env);
            LogbackSettings.apply(o.logFormat, o.logLevel);
            if (!o.siteNode.enabled()) {
                out.println(ProxyCommandLine.NAME + ": no --anycast: no route to withdraw");
                return 0;
            }
            int backends = o.backends.isEmpty()
                    ? ReferenceProxy.DEMO_PORTS.length
                    : ReferenceProxy.destinations(o).size();
            s = o.siteNode.resolve(o.health, backends);
        } catch (IllegalArgumentException e) {
            err.println(ProxyCommandLine.NAME + ": " + e.getMessage());
            return 2;
        }
        try {
            s.anycast().withdrawNow(ATTEMPTS);
        } catch (AnnouncerException e) {
            err.println(ProxyCommandLine.NAME + ": cannot withdraw " + s.prefix() + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        out.println(ProxyCommandLine.NAME + ": " + s.prefix() + " withdrawn through "
                + s.anycast().announcerSpec());
        return 0;
    }
}
