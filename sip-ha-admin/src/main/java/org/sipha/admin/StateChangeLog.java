package org.sipha.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The most recent state changes, in a ring of fixed capacity (older ones are overwritten), and the last change of
 * each subject. Writers (health, anycast, quorum and admin threads) and readers (the endpoint) never block each
 * other: a writer claims a slot with one atomic increment. Any thread.
 */
public final class StateChangeLog {
    /** How many changes the status page's default ring keeps. */
    public static final int DEFAULT_CAPACITY = 200;

    private final AtomicReferenceArray<StateChange> ring;
    private final AtomicLong written = new AtomicLong();
    private final ConcurrentHashMap<String, StateChange> lastBySubject = new ConcurrentHashMap<>();

    public StateChangeLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.ring = new AtomicReferenceArray<>(capacity);
    }

    /** Records {@code change}. Any thread. */
    public void record(StateChange change) {
        long n = written.getAndIncrement();
        ring.set((int) (n % ring.length()), change);
        lastBySubject.put(change.subject(), change);
    }

    /** Up to {@code max} of the most recent changes, newest first. Any thread. */
    public List<StateChange> recent(int max) {
        long end = written.get();
        int n = (int) Math.min(Math.min(end, ring.length()), max);
        List<StateChange> out = new ArrayList<>(n);
        for (long i = end - 1; i >= end - n; i--) {
            StateChange c = ring.get((int) (i % ring.length()));
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** The last change of {@code subject}, or null. Any thread. */
    public StateChange last(String subject) {
        return lastBySubject.get(subject);
    }

    /** Forgets the last change of {@code subject} (e.g. a destination removed by a reload). Any thread. */
    public void forget(String subject) {
        lastBySubject.remove(subject);
    }
}
