package org.sipha.dispatcher.engine;

import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * How an epoll UDP socket of the engine reads: one {@code recvmmsg(2)} per wake-up takes up to {@code batch}
 * datagrams into slots of one buffer (with {@code EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE} set to the slot
 * size), and reading stops as soon as a call returns fewer than it asked for: the socket is then empty. Netty's own
 * datagram read loop asks again after every read that returned anything, so below overload, where a wake-up
 * finds one datagram, every wake-up paid a second system call that found nothing.
 *
 * <p>Each datagram handed to the pipeline is a slice of the shared buffer; the engine copies what it keeps, so
 * the buffer returns to the pool when the batch has been handled. Handles are per channel, used on its loop only.
 */
final class DatagramBatchAllocator extends DefaultMaxMessagesRecvByteBufAllocator {
    private final int bufferBytes;

    /**
     * @param datagramBytes the largest datagram accepted (the slot size)
     * @param batch the most datagrams one wake-up reads
     */
    DatagramBatchAllocator(int datagramBytes, int batch) {
        super(batch);
        this.bufferBytes = Math.multiplyExact(datagramBytes, batch);
    }

    @Override
    public Handle newHandle() {
        return new MaxMessageHandle() {
            /** True if the last call filled every slot it offered: only then may more be waiting. */
            private final UncheckedBooleanSupplier filledAll = () -> attemptedBytesRead() == lastBytesRead();

            @Override
            public int guess() {
                return bufferBytes;
            }

            @Override
            public boolean continueReading(UncheckedBooleanSupplier ignoredMaybeMore) {
                return super.continueReading(filledAll);
            }
        };
    }
}
