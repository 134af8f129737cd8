package org.sipha.dispatcher.engine;

/**
 * Which socket layer the forwarding engine runs on (Netty's io_uring transport is not offered: see
 * benchmarks/README.md).
 */
public enum IoTransport {
    /** epoll if available, else NIO. */
    AUTO,
    /** Linux epoll; several loops share each UDP port with {@code SO_REUSEPORT}. */
    EPOLL,
    /** Java NIO, on any platform; one event loop, since a port cannot be shared between sockets there. */
    NIO
}
