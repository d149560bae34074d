import MediaControlProtocol
import MediaControlServer
import MediaEngine
import SRTP

/// Between the control protocol's words and the engine's: specs in, figures and failures out.
extension SessionTable {
    /// Checks what the engine cannot: stream indices, interfaces, addresses, profiles.
    func validate(_ spec: SessionSpec) -> Result<Void, ControlFailure> {
        var seen: Set<Int> = []
        for stream in spec.streams {
            guard seen.insert(stream.index).inserted else {
                return .failure(ControlFailure(.invalidSpec, "stream index \(stream.index) appears twice"))
            }
            if let failure = check(stream.a, leg: "a", of: stream.index) ?? check(stream.b, leg: "b", of: stream.index) {
                return .failure(failure)
            }
        }
        return .success(())
    }

    /// What is wrong with one leg of a stream, nil when nothing is. Its texts are made only for a
    /// refusal: a session command checks every leg.
    private func check(_ leg: MediaControlProtocol.LegSpec, leg name: String, of index: Int) -> ControlFailure? {
        func refuse(_ reason: String) -> ControlFailure {
            ControlFailure(.invalidSpec, "stream \(index) leg \(name): \(reason)")
        }
        guard interfaceNames.contains(leg.interface) else {
            return refuse("no media interface \(leg.interface) (configured: \(interfaceNames.sorted().joined(separator: ", ")))")
        }
        if case .srtp(let suiteName, let localKey, let remoteKey) = leg.profile {
            guard let suite = SRTPSuite(sdesName: suiteName) else {
                return refuse("unknown SRTP suite \(suiteName) (supported: "
                    + SRTPSuite.allCases.map(\.sdesName).joined(separator: ", ") + ")")
            }
            func keyFailure(_ key: String?, _ which: String) -> ControlFailure? {
                guard let key else { return nil }
                // The reason names lengths and encoding only: key material never goes back.
                do {
                    _ = try SRTPMasterKey(suite: suite, sdesInlineKeySalt: key)
                    return nil
                } catch .length(_, let expected, let actual) {
                    return refuse("\(which) holds \(actual) bytes; \(suiteName) needs \(expected) (key||salt, base64)")
                } catch {
                    return refuse("\(which) is not padded base64 of key||salt (the SDES inline key, without |lifetime or |MKI)")
                }
            }
            if let failure = keyFailure(localKey, "localKey") ?? keyFailure(remoteKey, "remoteKey") { return failure }
        }
        for endpoint in [leg.remote, leg.remoteRTCP] {
            guard let endpoint, Self.ipv4(endpoint) == nil else { continue }
            return refuse("remote \(endpoint) is not an IPv4 address and port (the relay engine is IPv4 only)")
        }
        if leg.strictSource && leg.remote == nil {
            return refuse("strictSource needs a remote address")
        }
        return nil
    }

    /// The engine's spec for a validated stream. Any direction but sendrecv puts the stream on
    /// hold: it is then timed by the (longer) on-hold limit.
    func engineSpec(_ stream: MediaControlProtocol.StreamSpec, id: StreamID) -> Result<EngineStreamSpec, ControlFailure> {
        guard let a = Self.engineLeg(stream.a), let b = Self.engineLeg(stream.b) else {
            return .failure(ControlFailure(.invalidSpec, "stream \(stream.index): not an IPv4 remote, or an SRTP key "
                + "that does not parse"))
        }
        let onHold = stream.a.direction != .sendrecv || stream.b.direction != .sendrecv
        return .success(EngineStreamSpec(id: id, a: a, b: b, timeouts: engineTimeouts, onHold: onHold))
    }

    /// The stream with every SRTP leg's local key filled in: the one given; else, in an update,
    /// the key the leg has now if the suite is unchanged (so re-sending the session does not
    /// re-key it); else a fresh key from the CSPRNG. Call after `validate`.
    static func resolvingKeys(_ stream: MediaControlProtocol.StreamSpec,
                              previous: MediaControlProtocol.StreamSpec?) -> MediaControlProtocol.StreamSpec {
        var resolved = stream
        resolved.a.profile = resolvingKey(stream.a.profile, previous: previous?.a.profile)
        resolved.b.profile = resolvingKey(stream.b.profile, previous: previous?.b.profile)
        return resolved
    }

    static func resolvingKey(_ profile: LegProfile, previous: LegProfile?) -> LegProfile {
        guard case .srtp(let name, nil, let remoteKey) = profile, let suite = SRTPSuite(sdesName: name) else {
            return profile
        }
        if case .srtp(name, let kept?, _)? = previous {
            return .srtp(suite: name, localKey: kept, remoteKey: remoteKey)
        }
        return .srtp(suite: name, localKey: SRTPMasterKey.random(for: suite).sdesInlineKeySalt, remoteKey: remoteKey)
    }

    /// The engine's transform for a validated leg whose keys are resolved.
    static func transform(_ profile: LegProfile) -> LegTransform? {
        switch profile {
        case .rtp: return .passthrough
        case .srtp(let name, let localKey?, let remoteKey):
            guard let suite = SRTPSuite(sdesName: name),
                  let local = try? SRTPMasterKey(suite: suite, sdesInlineKeySalt: localKey) else { return nil }
            var remote: SRTPMasterKey?
            if let remoteKey {
                guard let parsed = try? SRTPMasterKey(suite: suite, sdesInlineKeySalt: remoteKey) else { return nil }
                remote = parsed
            }
            return .srtp(SRTPLegKeys(local: local, remote: remote))
        case .srtp(_, nil, _):
            return nil
        }
    }

    static func engineLeg(_ leg: MediaControlProtocol.LegSpec) -> EngineLegSpec? {
        var remote: IPv4Endpoint?
        var remoteRTCP: IPv4Endpoint?
        if let endpoint = leg.remote {
            guard let parsed = ipv4(endpoint) else { return nil }
            remote = parsed
        }
        if let endpoint = leg.remoteRTCP {
            guard let parsed = ipv4(endpoint) else { return nil }
            remoteRTCP = parsed
        }
        guard let transform = transform(leg.profile) else { return nil }
        return EngineLegSpec(interface: leg.interface, rtcpMux: leg.rtcpMux, remote: remote,
                             remoteRTCP: remoteRTCP, latching: leg.strictSource ? .strict : .learn,
                             transform: transform)
    }

    static func legUpdate(_ leg: EngineLegSpec) -> StreamUpdate.Leg {
        StreamUpdate.Leg(remote: leg.remote, remoteRTCP: leg.remoteRTCP, latching: leg.latching,
                         transform: leg.transform)
    }

    static func ipv4(_ endpoint: Endpoint) -> IPv4Endpoint? {
        guard (0...65535).contains(endpoint.port) else { return nil }
        return IPv4Endpoint(endpoint.address, port: UInt16(endpoint.port))
    }

    static func failure(_ error: MediaEngineError, stream index: Int) -> ControlFailure {
        let context = "stream \(index): \(error.context)"
        switch error.code {
        case .portsExhausted: return ControlFailure(.portsExhausted, context)
        case .unknownInterface: return ControlFailure(.invalidSpec, context)
        case .streamCapacity: return ControlFailure(.portsExhausted, "stream \(index): every worker is full: \(error.context)")
        case .srtp: return ControlFailure(.invalidSpec, context)
        case .invalidConfiguration, .duplicateStream, .unknownStream, .workerBusy, .socket, .notRunning:
            return ControlFailure(.internalError, context)
        }
    }

    /// One leg's engine counters in the protocol's terms. `log` is the stream's latch log; the
    /// reason given is that of the newest accepted RTP decision on this leg.
    static func legFigures(_ figures: EngineLegStatistics?, side: LegSide, log: [LatchRecord],
                           clockRate: UInt32, now: Now) -> MediaControlProtocol.LegStatistics {
        guard let figures else {
            return MediaControlProtocol.LegStatistics(packets: 0, bytes: 0, drops: [:], lost: 0, jitterMilliseconds: 0,
                                                      lastPacketTime: nil, latched: nil, latchReason: nil)
        }
        var drops: [String: UInt64] = [:]
        for reason in EngineDropReason.allCases where figures.drops[reason] > 0 {
            drops[dropName(reason)] = figures.drops[reason]
        }
        let lastPacketTime = figures.lastPacketNanoseconds.map { last in
            now.wall - Double(now.monotonicNanoseconds &- min(last, now.monotonicNanoseconds)) / 1e9
        }
        let latchRecord = log.last { $0.side == side && $0.channel == .rtp && $0.accepted }
        return MediaControlProtocol.LegStatistics(
            packets: figures.packets, bytes: figures.bytes, drops: drops, lost: UInt64(max(0, figures.lost)),
            jitterMilliseconds: clockRate == 0 ? 0 : Double(figures.jitter) * 1000 / Double(clockRate),
            lastPacketTime: lastPacketTime,
            latched: figures.latched.map { Endpoint(address: $0.addressText, port: Int($0.port)) },
            latchReason: figures.latched == nil ? nil : latchRecord.map(describe))
    }

    /// Every reason's count under its protocol name, zeros included (for /metrics).
    public static func dropCounts(_ drops: DropCounters) -> [String: UInt64] {
        var counts: [String: UInt64] = [:]
        for reason in EngineDropReason.allCases { counts[dropName(reason)] = drops[reason] }
        return counts
    }

    /// The protocol's drop catalogue, plus the engine's send failures under their own name.
    static func dropName(_ reason: EngineDropReason) -> String {
        switch reason {
        case .authenticationFailure: MediaControlProtocol.DropReason.authFailure.rawValue
        case .replay: MediaControlProtocol.DropReason.replay.rawValue
        case .unknownSource: MediaControlProtocol.DropReason.unknownSource.rawValue
        case .malformed: MediaControlProtocol.DropReason.malformed.rawValue
        case .noRoute: MediaControlProtocol.DropReason.noRoute.rawValue
        case .sendFailure: "send-failure"
        }
    }

    static func describe(_ record: LatchRecord) -> String {
        let reason = switch record.reason {
        case .matchedSignalled: "matched-signalled"
        case .learnedFromFirstPacket: "learned-from-first-packet"
        case .rejectedNotSignalled: "rejected-not-signalled"
        case .rejectedAlreadyLatched: "rejected-already-latched"
        case .relatchedAuthenticated: "relatched-authenticated"
        case .clearedByUpdate: "cleared-by-update"
        }
        return record.channel == .rtp ? reason : "rtcp \(reason)"
    }
}
