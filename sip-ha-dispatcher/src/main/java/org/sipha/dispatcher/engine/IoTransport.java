package org.sipha.dispatcher.engine;

/**
 * Which socket layer the forwarding engine runs on. The choice matters for CPU per call: at a few thousand calls
 * per second a SIP proxy does little work per datagram, and most of its CPU goes into the kernel crossings around
 * each one. With epoll a datagram costs a wake-up ({@code epoll_wait}) plus a {@code recvmsg}, and every send is
 * a {@code sendto}; with io_uring the receives are already completed when the loop wakes, and the sends of one
 * pass go to the kernel in the same {@code io_uring_enter}.
 */
public enum IoTransport {
    /** io_uring if the kernel offers it, else epoll, else NIO. */
    AUTO,
    /** Linux io_uring (kernel 5.14 or later); several loops share each UDP port with {@code SO_REUSEPORT}. */
    IO_URING,
    /** Linux epoll; several loops share each UDP port with {@code SO_REUSEPORT}. */
    EPOLL,
    /** Java NIO, on any platform; one event loop, since a port cannot be shared between sockets. */
    NIO
}
