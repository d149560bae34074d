import SIPMessage

/// One leg's dialog as Palisade holds it (RFC 3261 §12): the identifiers and the state needed to
/// send requests within it. Palisade is the UAS of the A-leg and the UAC of the B-leg; on each
/// leg it is a full user agent, so nothing of one dialog is ever written into the other.
public struct Dialog: Sendable, Equatable {
    public var callID: String
    /// Palisade's tag on this leg (the To tag of the A-leg, the From tag of the B-leg).
    public var localTag: String
    /// The peer's tag; nil on the B-leg until a response carries one.
    public var remoteTag: String?
    /// Palisade's name-addr on this leg without tag, as written in From of its requests.
    public var localParty: String
    /// The peer's name-addr without tag, as written in To of Palisade's requests.
    public var remoteParty: String
    /// §12.2.1.1: CSeq of the last request Palisade sent on this leg.
    public var localSequence: UInt32
    /// §12.2.2: CSeq of the last request the peer sent; nil before any.
    public var remoteSequence: UInt32?
    /// §12.1: the peer's Contact URI, where requests within the dialog go.
    public var remoteTarget: String
    /// §12.1.1/§12.1.2: the route set, in the order the Route headers are written.
    public var routeSet: [String]

    public init(callID: String, localTag: String, remoteTag: String?, localParty: String, remoteParty: String,
                localSequence: UInt32, remoteSequence: UInt32?, remoteTarget: String, routeSet: [String]) {
        self.callID = callID
        self.localTag = localTag
        self.remoteTag = remoteTag
        self.localParty = localParty
        self.remoteParty = remoteParty
        self.localSequence = localSequence
        self.remoteSequence = remoteSequence
        self.remoteTarget = remoteTarget
        self.routeSet = routeSet
    }

    /// §12.2.1.1: a request within the dialog. `via` is the transport's top Via with a fresh
    /// branch; `sequence` overrides the CSeq number (an ACK and a CANCEL reuse their INVITE's).
    public mutating func request(_ method: SIPMethod, via: String, contact: String?, sequence: UInt32? = nil,
                                 headers extra: [(String, String)] = [], body: [UInt8] = [],
                                 contentType: String? = nil) -> SIPMessage {
        let number: UInt32
        if let sequence {
            number = sequence
        } else {
            localSequence &+= 1
            number = localSequence
        }
        var headers: [(String, String)] = [("Via", via)]
        for route in routeSet { headers.append(("Route", route)) }
        headers.append(("Max-Forwards", "70"))
        headers.append(("From", localParty + ";tag=" + localTag))
        headers.append(("To", remoteParty + (remoteTag.map { ";tag=" + $0 } ?? "")))
        headers.append(("Call-ID", callID))
        headers.append(("CSeq", "\(number) \(method)"))
        if let contact { headers.append(("Contact", "<\(contact)>")) }
        headers.append(contentsOf: extra)
        if !body.isEmpty, let contentType { headers.append(("Content-Type", contentType)) }
        return SIPMessage.request(method, uri: remoteTarget, headers: headers, body: body)
    }

    /// The address a request within the dialog is sent to: the first route when there is one
    /// (loose routing, §16.12), else the remote target.
    public var nextHop: String {
        if let first = routeSet.first {
            // Route values are name-addrs: `<sip:host;lr>`.
            if let uri = try? SIPNameAddress.parse(ArraySlice(first.utf8)).get() { return uri.uri.string }
        }
        return remoteTarget
    }
}

extension SIPMessage {
    /// The URI of the first Contact, when there is one.
    var contactURI: String? { contacts.first?.uri.string }

    /// A name-addr header value rebuilt without its tag parameter, for reuse as a dialog party:
    /// display name and URI as written, other header parameters kept.
    static func party(_ address: SIPNameAddress) -> String {
        var out = ""
        if let display = address.displayName { out += text(display) + " " }
        out += "<" + address.uri.string + ">"
        for parameter in address.parameters where text(parameter.name).lowercased() != "tag" {
            out += ";" + text(parameter.name)
            if let value = parameter.value { out += "=" + text(value) }
        }
        return out
    }
}
