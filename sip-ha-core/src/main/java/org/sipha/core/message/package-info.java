/**
 * Zero-copy SIP messages: a reusable view over received bytes, and a splice editor that builds the bytes a
 * proxy sends on.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>Flyweights, not objects.</b> {@link org.sipha.core.message.SipMessageView} is wrapped around a
 *   datagram or a stream buffer and records positions only (Agrona's flyweight idea; Netty's
 *   {@code HttpObjectDecoder} for the line scanning and hard limits). One view per I/O thread; nothing is
 *   allocated per message.</li>
 *   <li><b>One framing pass, lazy decoding.</b> Framing finds each line and its name's colon with
 *   eight-bytes-a-step scans, classifies the name with one table probe and three word compares
 *   ({@code HeaderNameIndex}), and reads only Content-Length. Via, Route, Record-Route and Contact values are
 *   split at commas on first use and only as far as needed: reading the top Via never touches the second Via
 *   line, and a top Via of the usual shape is parsed in place without splitting its line at all.</li>
 *   <li><b>Typed errors.</b> Framing returns a {@link org.sipha.core.message.SipParseResult} naming the problem
 *   and the SIP status to answer with (400, 505, 513). Lazy accessors throw
 *   {@link org.sipha.core.message.SipSyntaxException} carrying the same type; {@code validate()} checks what a
 *   proxy relies on without throwing. No other unchecked exception escapes on malformed input.</li>
 *   <li><b>Bounded work.</b> {@link org.sipha.core.message.SipParseLimits} caps message size, header count,
 *   line length and values per header; every scan is a single forward pass over a bounded range.</li>
 *   <li><b>Edits splice.</b> {@link org.sipha.core.message.SipMessageEditor} records (range, replacement)
 *   pairs against the received message and writes the output by bulk-copying the unchanged ranges: a proxy
 *   hop (received/rport, new Via, Record-Route, Route pop, Max-Forwards, Request-URI) never re-serialises a
 *   header it did not change.</li>
 * </ul>
 *
 * <h2>Leniency</h2>
 * Accepted although RFC 3261 is stricter, because real peers send it: bare LF line ends, several spaces
 * between request-line parts, a datagram whose header block lacks the final empty line, LWS around Via's
 * slashes and around {@code ;}/{@code =} in parameters, an RFC 2543 comment after a Via value (commas inside
 * it included). Values are returned raw: quoted strings keep their
 * quotes and escapes, URIs keep their {@code %XX} escapes.
 *
 * <h2>Threading</h2>
 * Every class here is single-threaded: a view, its sub-views and an editor belong to one thread at a time.
 * {@link org.sipha.core.message.SipParseLimits}, {@link org.sipha.core.message.SipHeaderName},
 * {@link org.sipha.core.message.SipMethod} and {@link org.sipha.core.message.SipParseResult} are immutable.
 */
package org.sipha.core.message;
