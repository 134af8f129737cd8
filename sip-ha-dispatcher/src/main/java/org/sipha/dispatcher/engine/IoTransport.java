package org.sipha.dispatcher.engine;

/**
 * Which socket layer the forwarding engine runs on.
 *
 * <p>Netty's io_uring transport was tried (2026-11): it made about 40 % fewer system calls per call than epoll,
 * but under the warm-up's bursts one of its UDP sockets was closed with no error reported, and the CPU per call
 * it saved was within this machine's noise. It is left out until that is understood.
 */
public enum IoTransport {
    /** epoll if available, else NIO. */
    AUTO,
    /** Linux epoll; several loops share each UDP port with {@code SO_REUSEPORT}. */
    EPOLL,
    /** Java NIO, on any platform; one event loop, since a port cannot be shared between sockets there. */
    NIO
}
