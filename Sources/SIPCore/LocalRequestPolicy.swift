import SIPMessage

/// How the signalling answers requests while no B2BUA takes them (issue 4, item 6): an OPTIONS
/// probe of the SBC itself gets 200 OK with its capabilities; everything else gets a definite
/// error, never silence. Pure policy: the shell hands it the request (after the transaction layer
/// created a server transaction) and sends the answer through that transaction.
///
/// Decisions, in this order:
/// 1. ACK: no answer, ever (RFC 3261 §17.1.1.3 / §17.2.3: ACKs are not responded to).
/// 2. Max-Forwards 0: an OPTIONS is answered locally, 200 (§11, §16.3 item 2 lets the element
///    receiving it respond); any other method gets 483 Too Many Hops (§16.3 item 2).
/// 3. A method Palisade does not recognise: 501 Not Implemented with Allow (§8.2.1; §21.5.2).
/// 4. OPTIONS whose Request-URI host is one of `ownHosts`: 200 OK with Allow, Accept, Supported (§11.2).
/// 5. CANCEL: 481 Call/Transaction Does Not Exist (§9.2): nothing it could cancel is alive here.
///    (When the transaction layer found its INVITE, the TU answers instead.)
/// 6. Any other known method for one of `ownHosts`: 404 Not Found — there is no user or service
///    behind the SBC's own address until routing exists.
/// 7. Any other known method for a foreign host: 403 Forbidden — Palisade is not an open relay,
///    and nothing is routed before the B2BUA is configured.
public struct LocalRequestPolicy: Sendable {
    /// Host names and addresses that mean "the SBC itself", compared case-insensitively (IPv6
    /// references with their brackets, as they appear in a URI).
    public var ownHosts: Set<String>
    /// RFC 3261 §20.5 Allow: the methods Palisade accepts today.
    public var allow: [SIPMethod]
    /// RFC 3261 §20.1 Accept.
    public var accept: [String]
    /// RFC 3261 §20.37 Supported option tags; left out when empty.
    public var supported: [String]

    public init(
        ownHosts: some Sequence<String>,
        allow: [SIPMethod] = [.options, .ack, .cancel],
        accept: [String] = ["application/sdp"],
        supported: [String] = []
    ) {
        self.ownHosts = Set(ownHosts.map { $0.lowercased() })
        self.allow = allow
        self.accept = accept
        self.supported = supported
    }

    /// The status Palisade answers `request` with, or nil for an ACK.
    public func status(for request: SIPMessage) -> Int? {
        guard let method = request.method else { return nil }
        if method == .ack { return nil }
        if request.maxForwards == 0 { return method == .options ? 200 : 483 }
        if case .extension = method { return 501 }
        let isOwn = request.requestURI?.host.map { ownHosts.contains($0.string.lowercased()) } ?? false
        switch method {
        case .options:
            return isOwn ? 200 : 403
        case .cancel:
            return 481
        case .invite, .bye, .register, .prack, .update, .info, .message, .notify, .subscribe, .refer, .publish:
            return isOwn ? 404 : 403
        case .ack, .extension:
            // Handled above; kept here so a new method forces a decision.
            return nil
        }
    }

    /// The answer to `request` (§8.2.6), or nil for an ACK. `toTag` is the tag the shell chose
    /// for the To header (§8.2.6.2).
    public func answer(_ request: SIPMessage, toTag: String) -> SIPMessage? {
        guard let status = status(for: request) else { return nil }
        var headers: [(String, String)] = []
        switch status {
        case 200:
            headers.append(("Allow", allow.map(\.description).joined(separator: ", ")))
            headers.append(("Accept", accept.joined(separator: ", ")))
            if !supported.isEmpty { headers.append(("Supported", supported.joined(separator: ", "))) }
        case 501:
            // §8.2.1: a 405 must carry Allow; a 501 benefits from it the same way.
            headers.append(("Allow", allow.map(\.description).joined(separator: ", ")))
        default:
            break
        }
        return SIPResponseBuilder.response(to: request, status: status, toTag: toTag, headers: headers)
    }
}
