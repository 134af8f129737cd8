package org.sipha.anycast;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Standalone watchdog: probes any SIP proxy (Kamailio, OpenSIPS, a Java proxy) with OPTIONS (503 and other
 * configured codes count as down), optionally runs a check command (e.g. {@code kamcmd dispatcher.list}: at
 * least K active destinations), and drives the anycast announcement through BIRD's control socket, ExaBGP, FRR
 * or a hook script, with the dead-man relay armed.
 * Options: {@link WatchdogCommandLine} ({@code --help}). Exit codes: 0 after SIGTERM/SIGINT (prefix withdrawn) or
 * {@code --check}, {@code --withdraw}, {@code --help}, {@code --version}; 1 {@code --withdraw} failed; 2 bad
 * options; 3 start-up failure.
 */
public final class AnycastWatchdogMain {
    private static final Logger LOG = LoggerFactory.getLogger(AnycastWatchdogMain.class);
    private static final long SPEAKER_START_MS = 20_000;

    private AnycastWatchdogMain() {}

    /** {@code --withdraw}: the exit status, 0 withdrawn, 1 the daemon could not be reached. */
    private static int withdraw(WatchdogOptions opts) throws InterruptedException {
        try {
            opts.anycast.withdrawNow(25);
        } catch (AnnouncerException e) {
            LOG.error("cannot withdraw through {}: {}", opts.announcerSpec, e.getMessage());
            return 1;
        }
        LOG.info("withdrawn through {}", opts.announcerSpec);
        return 0;
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 0) {
            System.out.print(WatchdogCommandLine.usage());
            System.exit(2);
        }
        WatchdogOptions opts;
        WatchdogCommandLine.Parsed cmd;
        java.util.Map<String, String> log = new java.util.HashMap<>();
        try {
            cmd = WatchdogCommandLine.parse(args, log);
            if (cmd.help() || cmd.version()) {
                System.out.print(cmd.help() ? WatchdogCommandLine.usage() : WatchdogCommandLine.version() + "\n");
                System.out.flush();
                return;
            }
            opts = WatchdogOptions.parse(cmd.options());
            LogbackSettings.apply(
                    LogbackSettings.format(log.getOrDefault("log-format", "text"), "--log-format"),
                    LogbackSettings.level(log.getOrDefault("log-level", "info"), "--log-level"));
            AnnouncerSpec.parse(opts.announcerSpec).close(); // a bad daemon setting fails here, not when announcing
        } catch (IllegalArgumentException e) {
            System.err.println(WatchdogCommandLine.NAME + ": " + e.getMessage() + " (see --help)");
            System.exit(2);
            return;
        }
        if (cmd.withdraw()) {
            System.exit(withdraw(opts));
            return;
        }
        if (cmd.check()) {
            System.out.println(WatchdogCommandLine.NAME + ": options OK: probing " + opts.sipTarget + " every "
                    + opts.probeIntervalMs + " ms" + (opts.check == null ? "" : ", check " + opts.check)
                    + ", announcing through " + opts.announcerSpec
                    + (opts.deadmanTimeoutMs > 0 ? " with the dead-man relay" : " without the dead-man relay"));
            return;
        }
        RouteAnnouncer announcer = AnnouncerSpec.parse(opts.announcerSpec);
        DeadManSwitch deadMan = opts.deadmanTimeoutMs > 0
                ? new RelayDeadManSwitch(opts.announcerSpec, opts.deadmanTimeoutMs)
                : DeadManSwitch.NONE;
        if (deadMan == DeadManSwitch.NONE) {
            LOG.warn("dead-man relay disabled: if this process is killed the prefix stays announced");
        }
        AnycastController controller = new AnycastController(opts.config, announcer, deadMan);
        SipOptionsPinger pinger;
        try {
            pinger = new SipOptionsPinger(opts.sipLocal, opts.sipTarget, opts.downCodes);
            if (opts.speaker != null) {
                opts.speaker.start(SPEAKER_START_MS); // our own BIRD: its sessions die with this process
            }
            controller.start();
        } catch (IOException | AnnouncerException e) {
            LOG.error("watchdog cannot start: {}", e.getMessage());
            if (opts.speaker != null) {
                opts.speaker.close();
            }
            System.exit(3);
            return;
        }
        ProxyProbeLoop probes = new ProxyProbeLoop(pinger, controller, opts.probeIntervalMs, opts.probeTimeoutMs);
        probes.start();
        CommandCheckLoop checks = opts.check == null
                ? null
                : new CommandCheckLoop(
                        opts.check, controller, opts.checkIntervalMs, opts.config.rise, opts.config.fall);
        if (checks != null) {
            checks.start();
            LOG.info("check command {} every {} ms", opts.check, opts.checkIntervalMs);
        }
        LOG.info(
                "watchdog running: probing {} every {} ms (down codes: {}), announcing through {}",
                opts.sipTarget,
                opts.probeIntervalMs,
                opts.downCodes.isEmpty() ? "none" : opts.downCodes,
                announcer.name());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            LOG.info("watchdog stopping: withdrawing");
                            probes.close();
                            if (checks != null) {
                                checks.close();
                            }
                            controller.close();
                            if (opts.speaker != null) {
                                opts.speaker.close();
                            }
                            stopped.countDown();
                        },
                        "sipha-anycast-shutdown"));
        stopped.await();
    }
}
