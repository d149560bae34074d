import CLibSRTP

/// One libsrtp2 session for one leg and one direction: inbound contexts unprotect what a peer
/// sent, outbound contexts protect what Palisade sends. Streams are created per SSRC from an
/// "any SSRC" template, so a peer that changes SSRC needs no new signalling.
///
/// Packets are transformed in place, in a buffer the caller owns; nothing here allocates per
/// packet (libsrtp2 itself: none with scripts/build-libsrtp's build, whose HMAC-SHA1 is Palisade's;
/// 2 per packet inside OpenSSL 3's HMAC with libsrtp's own; 28 on NSS).
///
/// Ownership: a context is used by one thread at a time (the worker that owns its stream). It is
/// `@unchecked Sendable` only so that the control thread can build it and hand it to that worker
/// through a queue, which orders the hand-over; it has no lock and must not be shared.
///
/// This file and SRTPLibrary.swift are the only places the SRTP target touches libsrtp2's pointers.
public final class SRTPContext: @unchecked Sendable {
    public enum Direction: Hashable, Sendable {
        /// Unprotects packets from a peer; any SSRC (`ssrc_any_inbound`).
        case inbound
        /// Protects packets towards a peer; any SSRC (`ssrc_any_outbound`).
        case outbound
    }

    public let direction: Direction
    public private(set) var suite: SRTPSuite
    private let session: srtp_t
    // Cached from the suite so the per-packet check reads one stored Int32.
    private var rtpOverhead: Int32
    private var rtcpOverhead: Int32

    /// The replay window libsrtp2 keeps per SSRC (RFC 3711 §3.3.2 requires at least 64).
    public static let defaultReplayWindow = 128
    private let replayWindow: Int

    /// How many per-SSRC streams a context keeps by default. libsrtp2 clones a stream from the
    /// "any SSRC" template for every new SSRC that authenticates (inbound) or is protected
    /// (outbound), and never frees one on its own: a peer cycling SSRCs would grow the session
    /// without bound. Past this many, the oldest stream is removed (and counted).
    public static let defaultMaximumStreams = 16
    /// The SSRCs (as they sit in the packet, network byte order) with a stream, oldest first from
    /// `oldestStream`; allocated once.
    private let streamSSRCs: UnsafeMutablePointer<UInt32>
    private let maximumStreams: Int
    private var streamCount = 0
    private var oldestStream = 0
    /// Streams removed because `maximumStreams` were in use when a new SSRC arrived.
    public private(set) var evictedStreams: UInt64 = 0
    /// Streams this context holds now (at most `maximumStreams`).
    public var activeStreams: Int { streamCount }

    /// A context for one direction of one leg, keyed with `key`. Replay protection is always on.
    public init(key: SRTPMasterKey, direction: Direction, replayWindow: Int = SRTPContext.defaultReplayWindow,
                maximumStreams: Int = SRTPContext.defaultMaximumStreams) throws(SRTPError) {
        // libsrtp2 accepts windows of 64...0x7FFF (srtp_rdbx_init).
        guard (64...0x7FFF).contains(replayWindow), (1...4096).contains(maximumStreams) else { throw .badParam }
        var created: srtp_t? = nil
        let status = SRTPLibrary.withKernel {
            Self.withPolicy(key: key, direction: direction, replayWindow: replayWindow) { policy in
                srtp_create(&created, policy)
            }
        }
        guard status == srtp_err_status_ok, let created else { throw SRTPError(status: status) }
        self.session = created
        self.direction = direction
        self.suite = key.suite
        self.replayWindow = replayWindow
        self.rtpOverhead = Int32(key.suite.rtpOverhead)
        self.rtcpOverhead = Int32(key.suite.rtcpOverhead)
        self.maximumStreams = maximumStreams
        streamSSRCs = .allocate(capacity: maximumStreams)
        streamSSRCs.initialize(repeating: 0, count: maximumStreams)
    }

    deinit {
        srtp_dealloc(session)
        streamSSRCs.deallocate()
    }

    // MARK: Packets

    /// Encrypts and tags the RTP packet of `length` bytes at `packet`, in place; `length` grows by
    /// the tag. `capacity` is the buffer's size: it must hold the tag too.
    public func protectRTP(_ packet: UnsafeMutableRawPointer, length: inout Int32, capacity: Int) throws(SRTPError) {
        try checkRoom(length: length, capacity: capacity, overhead: rtpOverhead)
        let ssrc = Self.ssrc(packet, length: length, offset: 8)
        let status = srtp_protect(session, packet, &length)
        guard status == srtp_err_status_ok else { throw SRTPError(status: status) }
        track(ssrc)
    }

    /// Verifies and decrypts the SRTP packet of `length` bytes at `packet`, in place; `length`
    /// shrinks by the tag. On any error the bytes must be dropped: they are unauthenticated.
    public func unprotectRTP(_ packet: UnsafeMutableRawPointer, length: inout Int32) throws(SRTPError) {
        let ssrc = Self.ssrc(packet, length: length, offset: 8)
        let status = srtp_unprotect(session, packet, &length)
        guard status == srtp_err_status_ok else { throw SRTPError(status: status) }
        track(ssrc)
    }

    /// Encrypts and tags an RTCP compound packet in place; `length` grows by the SRTCP index and tag.
    public func protectRTCP(_ packet: UnsafeMutableRawPointer, length: inout Int32, capacity: Int) throws(SRTPError) {
        try checkRoom(length: length, capacity: capacity, overhead: rtcpOverhead)
        let ssrc = Self.ssrc(packet, length: length, offset: 4)
        let status = srtp_protect_rtcp(session, packet, &length)
        guard status == srtp_err_status_ok else { throw SRTPError(status: status) }
        track(ssrc)
    }

    /// Verifies and decrypts an SRTCP packet in place; `length` shrinks by the SRTCP index and tag.
    public func unprotectRTCP(_ packet: UnsafeMutableRawPointer, length: inout Int32) throws(SRTPError) {
        let ssrc = Self.ssrc(packet, length: length, offset: 4)
        let status = srtp_unprotect_rtcp(session, packet, &length)
        guard status == srtp_err_status_ok else { throw SRTPError(status: status) }
        track(ssrc)
    }

    /// The SSRC field as it sits in the packet (network byte order), or 0 when too short (libsrtp2
    /// then refuses the packet anyway).
    @inline(__always)
    private static func ssrc(_ packet: UnsafeMutableRawPointer, length: Int32, offset: Int) -> UInt32 {
        guard Int(length) >= offset + 4 else { return 0 }
        return packet.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
    }

    /// Notes that libsrtp2 now has a stream for `ssrc`; past `maximumStreams`, removes the oldest.
    /// The common case (the SSRC of the previous packet) is one comparison; no allocation.
    @inline(__always)
    private func track(_ ssrc: UInt32) {
        if streamCount > 0, streamSSRCs[(oldestStream + streamCount - 1) % maximumStreams] == ssrc { return }
        for k in 0..<streamCount where streamSSRCs[(oldestStream + k) % maximumStreams] == ssrc { return }
        if streamCount == maximumStreams {
            // srtp_remove_stream takes the SSRC in network byte order, as stored.
            _ = srtp_remove_stream(session, streamSSRCs[oldestStream])
            streamSSRCs[oldestStream] = ssrc
            oldestStream = (oldestStream + 1) % maximumStreams
            evictedStreams &+= 1
        } else {
            streamSSRCs[(oldestStream + streamCount) % maximumStreams] = ssrc
            streamCount += 1
        }
    }

    @inline(__always)
    private func checkRoom(length: Int32, capacity: Int, overhead: Int32) throws(SRTPError) {
        // libsrtp2 2.5 writes the tag past `length` without knowing the buffer's size.
        guard length >= 0, Int(length) <= capacity else { throw .badParam }
        guard capacity - Int(length) >= Int(overhead) else {
            throw .bufferTooSmall(needed: length &+ overhead, capacity: Int32(clamping: capacity))
        }
    }

    // MARK: Stream state

    /// The rollover counter (RFC 3711 §3.3.1) of the stream for `ssrc`, or nil when this context
    /// has no stream for it yet (no packet of that SSRC has been protected or authenticated).
    /// For statistics and for handing a stream's state over; not for the packet path.
    public func rolloverCounter(ssrc: UInt32) -> UInt32? {
        var roc: UInt32 = 0
        guard srtp_get_stream_roc(session, ssrc, &roc) == srtp_err_status_ok else { return nil }
        return roc
    }

    // MARK: Re-keying

    /// Replaces the master key (and possibly the suite) of this context without dropping its
    /// streams: srtp_update keeps each stream's packet index (so the rollover counter carries on
    /// across the key change, RFC 3711 §3.3.1) and its SRTCP replay state. Packets still in
    /// flight under the old key fail authentication once this returns.
    public func update(key: SRTPMasterKey) throws(SRTPError) {
        let status = SRTPLibrary.withKernel {
            Self.withPolicy(key: key, direction: direction, replayWindow: replayWindow) { policy in
                srtp_update(session, policy)
            }
        }
        guard status == srtp_err_status_ok else { throw SRTPError(status: status) }
        suite = key.suite
        rtpOverhead = Int32(key.suite.rtpOverhead)
        rtcpOverhead = Int32(key.suite.rtcpOverhead)
    }

    // MARK: Policy

    /// Builds the libsrtp2 policy for `key` and passes it to `body`. libsrtp2 copies the key while
    /// deriving session keys, so the policy and its key pointer live only for the call.
    private static func withPolicy(
        key: SRTPMasterKey,
        direction: Direction,
        replayWindow: Int,
        _ body: (UnsafePointer<srtp_policy_t>) -> srtp_err_status_t
    ) -> srtp_err_status_t {
        var policy = srtp_policy_t()
        switch key.suite {
        case .aesCM128HmacSHA1_80:
            srtp_crypto_policy_set_rtp_default(&policy.rtp)
            srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        case .aesCM128HmacSHA1_32:
            // RFC 4568 §6.2.2: the 32-bit tag is for SRTP only; SRTCP keeps 80 bits.
            srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp)
            srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        case .aeadAES128GCM:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        case .aeadAES256GCM:
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp)
        case .aesCM256HmacSHA1_80:
            srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&policy.rtp)
            srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&policy.rtcp)
        }
        switch direction {
        case .inbound: policy.ssrc.type = ssrc_any_inbound
        case .outbound: policy.ssrc.type = ssrc_any_outbound
        }
        policy.ssrc.value = 0
        policy.window_size = UInt(replayWindow)
        // A repeated index on protect is refused too: re-sending it would reuse keystream.
        policy.allow_repeat_tx = 0
        policy.next = nil
        var keySalt = key.keySalt
        // Invariant: policy.key points into keySalt only inside this closure, and libsrtp2 reads
        // exactly suite.masterKeySaltLength bytes from it (the policy's cipher key length).
        return keySalt.withUnsafeMutableBufferPointer { bytes in
            policy.key = bytes.baseAddress
            return body(&policy)
        }
    }
}
