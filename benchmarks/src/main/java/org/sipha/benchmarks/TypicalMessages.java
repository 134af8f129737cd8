package org.sipha.benchmarks;

import java.nio.charset.StandardCharsets;

/**
 * The messages of one ordinary call as a SIPp UAC and an Asterisk-like UAS exchange them through a
 * record-routing proxy: INVITE with SDP, 100, 180, 200 with SDP, ACK and BYE along the route set, 200 to BYE.
 * Every message has a Call-ID, a top Via branch, a CSeq and a To header; requests after the INVITE carry Route.
 */
final class TypicalMessages {
    private static final String SDP = "v=0\r\n"
            + "o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
            + "s=-\r\n"
            + "c=IN IP4 127.0.0.1\r\n"
            + "t=0 0\r\n"
            + "m=audio 6000 RTP/AVP 0 8 101\r\n"
            + "a=rtpmap:0 PCMU/8000\r\n"
            + "a=rtpmap:8 PCMA/8000\r\n"
            + "a=rtpmap:101 telephone-event/8000\r\n";

    private TypicalMessages() {}

    static byte[][] all() {
        return new byte[][] {
            bytes("INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-2143-1-0;rport\r\n"
                    + "From: sipp <sip:sipp@127.0.0.1:5070>;tag=2143SIPpTag001\r\n"
                    + "To: service <sip:service@127.0.0.1:5060>\r\n"
                    + "Call-ID: 1-2143@127.0.0.1\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Contact: sip:sipp@127.0.0.1:5070\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "Route: <sip:127.0.0.1:5060;lr>\r\n"
                    + "Subject: Performance Test\r\n"
                    + "Content-Type: application/sdp\r\n"
                    + "Content-Length: " + SDP.length() + "\r\n\r\n" + SDP),
            bytes("SIP/2.0 100 Trying\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-2143-1-0;rport=5070;received=127.0.0.1\r\n"
                    + "From: sipp <sip:sipp@127.0.0.1:5070>;tag=2143SIPpTag001\r\n"
                    + "To: service <sip:service@127.0.0.1:5060>\r\n"
                    + "Call-ID: 1-2143@127.0.0.1\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Server: sip-ha\r\n"
                    + "Content-Length: 0\r\n\r\n"),
            bytes("SIP/2.0 180 Ringing\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK.sipha.5f1c2a.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-2143-1-0;rport=5070;received=127.0.0.1\r\n"
                    + "Record-Route: <sip:127.0.0.1:5060;lr;sipha=Zm9vYmFy.d1>\r\n"
                    + "From: sipp <sip:sipp@127.0.0.1:5070>;tag=2143SIPpTag001\r\n"
                    + "To: service <sip:service@127.0.0.1:5060>;tag=as6f5e4d3c\r\n"
                    + "Call-ID: 1-2143@127.0.0.1\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Contact: <sip:service@127.0.0.1:5081>\r\n"
                    + "Content-Length: 0\r\n\r\n"),
            bytes("SIP/2.0 200 OK\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK.sipha.5f1c2a.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-2143-1-0;rport=5070;received=127.0.0.1\r\n"
                    + "Record-Route: <sip:127.0.0.1:5060;lr;sipha=Zm9vYmFy.d1>\r\n"
                    + "From: sipp <sip:sipp@127.0.0.1:5070>;tag=2143SIPpTag001\r\n"
                    + "To: service <sip:service@127.0.0.1:5060>;tag=as6f5e4d3c\r\n"
                    + "Call-ID: 1-2143@127.0.0.1\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Contact: <sip:service@127.0.0.1:5081>\r\n"
                    + "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE\r\n"
                    + "Content-Type: application/sdp\r\n"
                    + "Content-Length: " + SDP.length() + "\r\n\r\n" + SDP),
            bytes("ACK sip:service@127.0.0.1:5081 SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-2143-1-5;rport\r\n"
                    + "Route: <sip:127.0.0.1:5060;lr;sipha=Zm9vYmFy.d1>\r\n"
                    + "From: sipp <sip:sipp@127.0.0.1:5070>;tag=2143SIPpTag001\r\n"
                    + "To: service <sip:service@127.0.0.1:5060>;tag=as6f5e4d3c\r\n"
                    + "Call-ID: 1-2143@127.0.0.1\r\n"
                    + "CSeq: 1 ACK\r\n"
                    + "Contact: sip:sipp@127.0.0.1:5070\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "Content-Length: 0\r\n\r\n"),
            bytes("BYE sip:service@127.0.0.1:5081 SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-2143-1-7;rport\r\n"
                    + "Route: <sip:127.0.0.1:5060;lr;sipha=Zm9vYmFy.d1>\r\n"
                    + "From: sipp <sip:sipp@127.0.0.1:5070>;tag=2143SIPpTag001\r\n"
                    + "To: service <sip:service@127.0.0.1:5060>;tag=as6f5e4d3c\r\n"
                    + "Call-ID: 1-2143@127.0.0.1\r\n"
                    + "CSeq: 2 BYE\r\n"
                    + "Contact: sip:sipp@127.0.0.1:5070\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "Content-Length: 0\r\n\r\n"),
            bytes("SIP/2.0 200 OK\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK.sipha.77a0c1.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-2143-1-7;rport=5070;received=127.0.0.1\r\n"
                    + "From: sipp <sip:sipp@127.0.0.1:5070>;tag=2143SIPpTag001\r\n"
                    + "To: service <sip:service@127.0.0.1:5060>;tag=as6f5e4d3c\r\n"
                    + "Call-ID: 1-2143@127.0.0.1\r\n"
                    + "CSeq: 2 BYE\r\n"
                    + "Content-Length: 0\r\n\r\n"),
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
