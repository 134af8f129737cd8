package org.sipha.dispatcher;

/**
 * One selection algorithm bound to one {@link DestinationSet} of one snapshot. Built by the writer when it
 * publishes the snapshot (so it may precompute anything from the set's frozen states and weights) and then only
 * read: {@link #select} may be called by any number of threads at once and must not lock or allocate.
 *
 * <p>Implementations consider only the set's {@link DestinationSet#active} entries, which is what makes
 * "never returns a destination inactive in the snapshot it used" hold by construction.
 */
interface DestinationSelector {
    /**
     * @param keyHash routing key hash (see {@link KeyHash}); algorithms that do not hash ignore it.
     * @param tried   entries already tried for this request, never to be returned; {@link TriedSet#NONE} for none.
     * @return the index of the chosen entry in the set, or -1 when no active untried entry is eligible.
     */
    int select(long keyHash, TriedSet tried);
}
