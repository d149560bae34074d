import AdminProtocol
import MediaControlProtocol
import SIPTransport

/// Read-only views of the calls for `palisadectl calls show` and `flows list`.
extension SIPService {
    /// One call's summary and both legs (dialog, flow, SDP as read), nil when there is no such call.
    /// The media plane's figures are the caller's to add.
    public func callDetail(_ id: String) -> CallDetail? {
        guard let record = callTable.records[id],
              let summary = callSummaries().first(where: { $0.id == id }) else { return nil }
        let call = record.call
        let callState = switch call.state {
        case .calling: "calling"
        case .confirmed: "confirmed"
        case .ending: "ending"
        case .ended: "ended"
        }
        func legState(_ remoteTag: String?, answered: Bool) -> String {
            switch call.state {
            case .calling: remoteTag == nil || !answered ? "early" : callState
            case .confirmed, .ending, .ended: callState
            }
        }
        let bFlow: String? = switch record.bHop {
        case .flow(let flow)?: Self.text(flow)
        case .destination(let destination)?: "\(destination.transport.rawValue) \(destination.address)"
        case nil: nil
        }
        let streams = record.media.spec.streams
        let a = CallLegDetail(leg: "a", realm: record.aFlow.realm, callID: call.a.callID, localTag: call.a.localTag,
                              remoteTag: call.a.remoteTag, remoteTarget: call.a.remoteTarget,
                              flow: Self.text(record.aFlow), dialogState: legState(call.a.remoteTag, answered: record.connected),
                              sdp: streams.map { Self.sdp($0.index, $0.a) })
        let b = CallLegDetail(leg: "b", realm: record.bRealm, callID: call.b.callID, localTag: call.b.localTag,
                              remoteTag: call.b.remoteTag, remoteTarget: call.b.remoteTarget, flow: bFlow,
                              dialogState: legState(call.b.remoteTag, answered: record.answeredB),
                              sdp: streams.map { Self.sdp($0.index, $0.b) })
        return CallDetail(call: summary, legs: [a, b], streams: [], mediaError: nil)
    }

    /// How many calls came in on each flow (for `palisadectl flows list`).
    public func callsPerFlow() -> [Flow: Int] {
        var counts: [Flow: Int] = [:]
        for record in callTable.records.values { counts[record.aFlow, default: 0] += 1 }
        return counts
    }

    /// `udp 192.0.2.7:5060`, with the connection id for TCP/TLS.
    static func text(_ flow: Flow) -> String {
        "\(flow.transport.rawValue) \(flow.remote.ipAddress ?? "?"):\(flow.remote.port ?? 0)"
            + (flow.connection.map { " (\($0))" } ?? "")
    }

    /// What a leg's SDP asked for, as the media plane was told; keys stay out.
    static func sdp(_ index: Int, _ leg: LegSpec) -> SDPStreamSummary {
        let (profile, suite): (String, String?) = switch leg.profile {
        case .rtp: ("RTP/AVP", nil)
        case .srtp(let suite, _, _): ("RTP/SAVP", suite)
        }
        return SDPStreamSummary(stream: index, media: leg.remote?.description, profile: profile, cryptoSuite: suite,
                                direction: leg.direction.rawValue, rtcpMux: leg.rtcpMux)
    }
}
