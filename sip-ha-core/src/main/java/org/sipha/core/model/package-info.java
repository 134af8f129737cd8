/**
 * The model shared by sip-ha modules that route requests and those that watch where they go.
 *
 * <p>{@link org.sipha.core.model.Destination} is an immutable value identified by a stable id;
 * {@link org.sipha.core.model.DestinationState} is what routing needs to know about it; and
 * {@link org.sipha.core.model.DestinationHealthSink} is how a health checker tells a router, so that the
 * dispatcher and the health module never depend on each other, only on this package.
 */
package org.sipha.core.model;
