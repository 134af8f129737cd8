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
 * Options: see {@link WatchdogOptions#USAGE} ({@code --help}). Exit codes: 0 after SIGTERM/SIGINT
 * (prefix withdrawn), 2 bad options, 3 start-up failure.
 */
public final class AnycastWatchdogMain {
    private static final Logger LOG = LoggerFactory.getLogger(AnycastWatchdogMain.class);
    private static final long SPEAKER_START_MS = 20_000;

    private AnycastWatchdogMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(WatchdogOptions.USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        WatchdogOptions opts;
        try {
            opts = WatchdogOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("sip-ha-anycast watchdog: " + e.getMessage() + "\n" + WatchdogOptions.USAGE);
            System.exit(2);
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
