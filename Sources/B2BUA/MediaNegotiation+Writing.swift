import MediaControlProtocol
import SDP

extension MediaNegotiation {
    // MARK: - Offer out

    /// Writes the offer for the leg that did not offer, from the media plane's allocation
    /// (RFC 3264 §5): Palisade's o= for that leg, its address in c=, its ports in m= and
    /// a=rtcp (RFC 3605), the profile its realm policy asks for (RTP/SAVP ↔ RTP/AVP, SAVPF ↔
    /// AVPF), and for SRTP one a=crypto per offerable suite with the media plane's key for that
    /// leg (RFC 4568 §5.1.1). ICE and DTLS attributes go (Palisade terminates media); every other
    /// line stays where it was. Rejected m= lines stay with port 0 (RFC 3264 §8.2).
    ///
    /// The media plane gives one key per leg, so only suites with the allocated suite's key
    /// length are offered with it (AES_CM_128 _80 and _32 share one; GCM and AES-256 do not).
    public mutating func writeOffer(allocation: SessionAllocation) -> SessionDescription? {
        guard var exchange else { return nil }
        let target = Self.other(exchange.offerer)
        let theirs = policy(target)
        let allocationPath: KeyPath<StreamAllocation, LegAllocation> = Self.path(target)
        let specPath: WritableKeyPath<StreamSpec, LegSpec> = Self.path(target)
        let allocations = Dictionary(allocation.streams.map { ($0.index, $0[keyPath: allocationPath]) }) { first, _ in first }
        let specs = Dictionary((pendingSpec?.streams ?? []).map { ($0.index, $0[keyPath: specPath]) }) { first, _ in first }
        let address = allocation.streams.first.map { $0[keyPath: allocationPath].address } ?? theirs.advertisedAddress

        var out = exchange.offer
        out.sessionLines = Self.sessionLines(of: exchange.offer, origin: origin(for: target, address: theirs.advertisedAddress),
                                             connection: Self.connection(address))
        exchange.onwardCryptos = [:]
        for (index, stream) in exchange.streams.enumerated() {
            let section = exchange.offer.media[index]
            let feedback = stream.proto.hasSuffix("F")
            guard stream.isAccepted, let leg = allocations[index], let legSpec = specs[index], let peer = stream.peer else {
                out.media[index] = Self.rejected(section, proto: Self.proto(srtp: theirs.srtp == .required, feedback: feedback))
                continue
            }
            var cryptos: [SDPCrypto] = []
            if theirs.srtp != .rtpOnly, case .srtp = legSpec.profile, let suiteName = leg.suite, let key = leg.localKey {
                let suite = SDPCryptoSuite(suiteName)
                if let key = SDPCryptoKey(base64: key, suite: suite) {
                    let suites = [suite] + theirs.suites.filter { $0 != suite && $0.keySaltLength == suite.keySaltLength }
                    for (n, s) in suites.enumerated() { cryptos.append(SDPCrypto(tag: n + 1, suite: s, keys: [key])) }
                }
            }
            exchange.onwardCryptos[index] = cryptos
            let srtp = theirs.srtp == .required && !cryptos.isEmpty
            let edit = SectionEdit(port: leg.rtpPort, proto: Self.proto(srtp: srtp, feedback: feedback), formats: nil,
                                   connection: Self.connection(leg.address), rtcpPort: leg.rtcpPort, rtpPort: leg.rtpPort,
                                   rtcpMux: peer.rtcpMux, cryptos: cryptos, direction: peer.direction)
            out.media[index] = Self.rewrite(section, edit, sessionAddress: address)
        }
        exchange.onward = out
        self.exchange = exchange
        pendingSpec = pendingSpec.map { Self.fold($0, allocation) }
        return stamp(out, for: target)
    }

    // MARK: - Answer out

    /// Writes the answer for the leg that offered (RFC 3264 §6): the answerer's formats and
    /// direction, the offerer's profile, Palisade's address and ports for that leg, and for SRTP
    /// exactly one a=crypto — the tag and suite of the offer line Palisade accepted with the media
    /// plane's own key for that leg (RFC 4568 §7.1.1). a=rtcp-mux only when the offer had it
    /// (RFC 5761 §5.1.1). Lines refused by policy or by the answerer keep port 0.
    public mutating func writeAnswer(allocation: SessionAllocation) -> SessionDescription? {
        guard let exchange, let answer = exchange.answer else { return nil }
        let offerer = exchange.offerer
        let mine = policy(offerer)
        let allocationPath: KeyPath<StreamAllocation, LegAllocation> = Self.path(offerer)
        let specPath: WritableKeyPath<StreamSpec, LegSpec> = Self.path(Self.other(offerer))
        let allocations = Dictionary(allocation.streams.map { ($0.index, $0[keyPath: allocationPath]) }) { first, _ in first }
        let answered = Dictionary(spec.streams.map { ($0.index, $0[keyPath: specPath]) }) { first, _ in first }
        let address = allocation.streams.first.map { $0[keyPath: allocationPath].address } ?? mine.advertisedAddress

        var out = answer
        out.sessionLines = Self.sessionLines(of: answer, origin: origin(for: offerer, address: mine.advertisedAddress),
                                             connection: Self.connection(address))
        for (index, stream) in exchange.streams.enumerated() {
            guard stream.isAccepted, !exchange.refused.contains(index), let leg = allocations[index],
                  let answererLeg = answered[index], let peer = stream.peer else {
                out.media[index] = Self.rejected(exchange.offer.media[index], proto: stream.proto)
                continue
            }
            var cryptos: [SDPCrypto] = []
            if let offered = stream.crypto, let key = leg.localKey.flatMap({ SDPCryptoKey(base64: $0, suite: offered.suite) }) {
                cryptos = [SDPCrypto(tag: offered.tag, suite: offered.suite, keys: [key])]
            }
            let section = answer.media[index]
            let edit = SectionEdit(port: leg.rtpPort, proto: stream.proto, formats: section.media.formats,
                                   connection: Self.connection(leg.address), rtcpPort: leg.rtcpPort, rtpPort: leg.rtpPort,
                                   rtcpMux: peer.rtcpMux, cryptos: cryptos, direction: answererLeg.direction)
            out.media[index] = Self.rewrite(section, edit, sessionAddress: address)
        }
        spec = Self.fold(spec, allocation)
        return stamp(out, for: offerer)
    }

    /// Writes the keys the media plane drew into the spec, so the next update-session names
    /// them instead of asking for fresh ones (a nil `localKey` means "draw a new key").
    static func fold(_ spec: SessionSpec, _ allocation: SessionAllocation) -> SessionSpec {
        var spec = spec
        for k in spec.streams.indices {
            guard let drawn = allocation.streams.first(where: { $0.index == spec.streams[k].index }) else { continue }
            for leg in LegName.allCases {
                let specPath: WritableKeyPath<StreamSpec, LegSpec> = path(leg)
                let allocationPath: KeyPath<StreamAllocation, LegAllocation> = path(leg)
                let allocated = drawn[keyPath: allocationPath]
                if case .srtp(let suite, nil, let remote) = spec.streams[k][keyPath: specPath].profile,
                   allocated.suite == suite, let key = allocated.localKey {
                    spec.streams[k][keyPath: specPath].profile = .srtp(suite: suite, localKey: key, remoteKey: remote)
                }
            }
        }
        return spec
    }

    // MARK: - Rewriting

    struct SectionEdit {
        var port: Int
        var proto: String
        var formats: [String]?
        var connection: SDPConnection
        var rtcpPort: Int
        var rtpPort: Int
        /// Whether Palisade's line for this leg says a=rtcp-mux.
        var rtcpMux: Bool
        var cryptos: [SDPCrypto]
        var direction: MediaDirection
    }

    /// Attributes of the other leg's transport that Palisade replaces or drops: ICE (RFC 8839
    /// §5), DTLS (RFC 8122 §5, RFC 4145 §4, RFC 8842), SDES (RFC 4568), RTCP (RFC 3605,
    /// RFC 5761) and the direction (written afresh).
    static let replaced: Set<String> = [
        "candidate", "remote-candidates", "end-of-candidates", "ice-ufrag", "ice-pwd", "ice-options", "ice-lite",
        "ice-mismatch", "ice-pacing", "fingerprint", "setup", "tls-id", "crypto", "rtcp", "rtcp-mux",
        "sendrecv", "sendonly", "recvonly", "inactive",
    ]

    static func attributeName(_ line: SDPLine) -> String {
        String(decoding: line.value.prefix { $0 != UInt8(ascii: ":") }, as: UTF8.self)
    }

    /// Drops a line that would carry the other realm's addresses or hosts, such as an
    /// a=ssrc cname written as user@host (RFC 7022 §4 says it should not be; some phones do).
    static func leaks(_ line: SDPLine) -> Bool {
        !SDPAddressScan.scan(line.value).isEmpty
    }

    static func rewrite(_ section: MediaSection, _ edit: SectionEdit, sessionAddress: String) -> MediaSection {
        let ending = section.lines[0].ending == .lf ? SDPLine.Ending.lf : .crlf
        func line(_ type: Character, _ value: String) -> SDPLine { SDPLine(type: type, value: value, ending: ending) }
        var media = section.media
        media.port = edit.port
        media.portCount = nil
        media.proto = edit.proto
        if let formats = edit.formats { media.formats = formats }

        var lines = [line("m", media.description)]
        var wroteCrypto = false, wroteRTCP = false, wroteMux = false, wroteDirection = false
        let rtcp = !edit.rtcpMux && edit.rtcpPort != edit.rtpPort ? "rtcp:\(edit.rtcpPort)" : nil
        for original in section.lines.dropFirst() {
            switch original.type {
            case UInt8(ascii: "c"):
                if edit.connection.address != sessionAddress { lines.append(line("c", edit.connection.description)) }
                continue
            case UInt8(ascii: "a"):
                break
            default:
                if !leaks(original) { lines.append(original) }
                continue
            }
            let name = attributeName(original)
            guard replaced.contains(name) else {
                if !leaks(original) { lines.append(original) }
                continue
            }
            // Palisade's own lines take the place of the first line they replace, so the order
            // a peer wrote is kept as far as it can be.
            switch name {
            case "crypto" where !wroteCrypto:
                for c in edit.cryptos { lines.append(line("a", SDPAttribute.crypto(c).description)) }
                wroteCrypto = true
            case "rtcp" where !wroteRTCP:
                if let rtcp { lines.append(line("a", rtcp)) }
                wroteRTCP = true
            case "rtcp-mux" where !wroteMux:
                if edit.rtcpMux { lines.append(line("a", "rtcp-mux")) }
                wroteMux = true
            case "sendrecv", "sendonly", "recvonly", "inactive":
                if !wroteDirection { lines.append(line("a", edit.direction.rawValue)) }
                wroteDirection = true
            default:
                break
            }
        }
        if !wroteRTCP, let rtcp, edit.rtcpPort != edit.rtpPort + 1 { lines.append(line("a", rtcp)) }
        if !wroteMux, edit.rtcpMux { lines.append(line("a", "rtcp-mux")) }
        if !wroteCrypto { for c in edit.cryptos { lines.append(line("a", SDPAttribute.crypto(c).description)) } }
        if !wroteDirection, edit.direction != .sendrecv { lines.append(line("a", edit.direction.rawValue)) }
        if edit.connection.address != sessionAddress, !lines.contains(where: { $0.type == UInt8(ascii: "c") }) {
            lines.insert(line("c", edit.connection.description), at: 1)
        }
        return MediaSection(lines: lines)
    }

    /// A refused m= line: port 0, the offer's formats, nothing else (RFC 3264 §6, §8.2).
    static func rejected(_ section: MediaSection, proto: String) -> MediaSection {
        var media = section.media
        media.port = 0
        media.portCount = nil
        if ["RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF"].contains(media.proto) { media.proto = proto }
        let ending = section.lines[0].ending == .lf ? SDPLine.Ending.lf : .crlf
        return MediaSection(lines: [SDPLine(type: "m", value: media.description, ending: ending)])
    }

    /// Session-level lines with Palisade's o=, s=- and c=; i=, u=, e=, p= and k= dropped (they
    /// name the other side's people and hosts, and k= is obsolete, RFC 8866 §5.12); ICE, DTLS
    /// and direction attributes dropped (written per m= line); the rest kept in order.
    static func sessionLines(of sdp: SessionDescription, origin: SDPOrigin, connection: SDPConnection) -> [SDPLine] {
        let ending = sdp.sessionLines.first?.ending == .lf ? SDPLine.Ending.lf : .crlf
        var out: [SDPLine] = []
        var wroteConnection = false
        for line in sdp.sessionLines {
            switch line.typeCharacter {
            case "v": out.append(line)
            case "o": out.append(SDPLine(type: "o", value: origin.description, ending: ending))
            case "s": out.append(SDPLine(type: "s", value: "-", ending: ending))
            case "i", "u", "e", "p", "k": break
            case "c":
                if !wroteConnection { out.append(SDPLine(type: "c", value: connection.description, ending: ending)) }
                wroteConnection = true
            case "a":
                let name = attributeName(line)
                if replaced.contains(name) || leaks(line) { break }
                if name == "group", line.valueString.hasPrefix("group:BUNDLE") { break }
                out.append(line)
            default:
                if !leaks(line) { out.append(line) }
            }
        }
        if !wroteConnection {
            // RFC 8866 §5: c= comes before t=.
            let at = out.firstIndex { $0.typeCharacter == "t" || $0.typeCharacter == "b" } ?? out.count
            out.insert(SDPLine(type: "c", value: connection.description, ending: ending), at: at)
        }
        return out
    }

    static func connection(_ address: String) -> SDPConnection {
        SDPConnection(addressType: address.utf8.contains(UInt8(ascii: ":")) ? "IP6" : "IP4", address: address)
    }

    static func proto(srtp: Bool, feedback: Bool) -> String {
        (srtp ? "RTP/SAVP" : "RTP/AVP") + (feedback ? "F" : "")
    }

    func origin(for leg: LegName, address: String) -> SDPOrigin {
        let state = leg == .a ? originA : originB
        return SDPOrigin(username: state.identity.username, sessionID: state.identity.sessionID,
                         sessionVersion: state.version ?? state.identity.initialVersion,
                         addressType: address.utf8.contains(UInt8(ascii: ":")) ? "IP6" : "IP4", address: address)
    }

    /// Sets the o= version: the first description on a leg gets the initial version, and every
    /// later one that differs from the last sent gets the next (RFC 3264 §8; RFC 8866 §5.2). An
    /// unchanged description (a session refresh) keeps the version.
    mutating func stamp(_ sdp: SessionDescription, for leg: LegName) -> SessionDescription {
        var state = leg == .a ? originA : originB
        var body = sdp
        body.sessionLines.removeAll { $0.typeCharacter == "o" }
        let digest = BytesDigest(body.printed)
        switch state.version {
        case nil: state.version = state.identity.initialVersion
        case let v?: if state.lastBody != digest { state.version = v &+ 1 }
        }
        state.lastBody = digest
        var out = sdp
        if let k = out.sessionLines.firstIndex(where: { $0.typeCharacter == "o" }), var o = out.origin {
            o.sessionVersion = state.version ?? state.identity.initialVersion
            out.sessionLines[k] = SDPLine(type: "o", value: o.description, ending: out.sessionLines[k].ending)
        }
        if leg == .a { originA = state } else { originB = state }
        return out
    }
}
