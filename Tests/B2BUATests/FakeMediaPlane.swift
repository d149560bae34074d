import MediaControlProtocol
import SDP

/// Stands in for palisade-media: answers a `SessionSpec` with a `SessionAllocation` the way the
/// control protocol promises — ports stable per stream and leg, a fresh key per leg when
/// `localKey` is nil, the asked key kept otherwise. Keys are deterministic so goldens are stable.
struct FakeMediaPlane {
    var addressA: String
    var addressB: String
    private var ports: [String: Int] = [:]
    private var nextPort = 40000
    private var keyCounter: UInt8 = 0
    private var keys: [String: String] = [:]

    init(addressA: String, addressB: String) {
        self.addressA = addressA
        self.addressB = addressB
    }

    mutating func apply(_ spec: SessionSpec) -> SessionAllocation {
        SessionAllocation(session: spec.session, streams: spec.streams.map { s in
            StreamAllocation(index: s.index, a: leg("a", s.index, s.a, addressA), b: leg("b", s.index, s.b, addressB))
        })
    }

    private mutating func leg(_ name: String, _ index: Int, _ spec: LegSpec, _ address: String) -> LegAllocation {
        let slot = "\(name)\(index)"
        let port = ports[slot] ?? {
            let p = nextPort
            nextPort += 2
            ports[slot] = p
            return p
        }()
        switch spec.profile {
        case .rtp:
            return LegAllocation(interface: spec.interface, address: address, rtpPort: port,
                                 rtcpPort: spec.rtcpMux ? port : port + 1)
        case .srtp(let suite, let localKey, _):
            let key = localKey ?? freshKey(slot: slot, suite: suite)
            return LegAllocation(interface: spec.interface, address: address, rtpPort: port,
                                 rtcpPort: spec.rtcpMux ? port : port + 1, suite: suite, localKey: key)
        }
    }

    /// A new key for the leg and suite: bytes counting up from a per-key start, base64 padded.
    private mutating func freshKey(slot: String, suite: String) -> String {
        let id = "\(slot)/\(suite)"
        if let k = keys[id] { return k }
        keyCounter &+= 1
        let length = SDPCryptoSuite(suite).keySaltLength ?? 30
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: Int(keyCounter) * 37 + $0 * 11) }
        let key = SDPCryptoKey(keySalt: bytes).encoded
        keys[id] = key
        return key
    }
}
