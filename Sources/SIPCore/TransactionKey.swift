import SIPMessage

/// What identifies a transaction (RFC 3261 §17.1.3, §17.2.3).
///
/// Client side: the branch of the top Via and the CSeq method. Server side: the branch and sent-by
/// of the top Via and the method, an ACK counting as its INVITE. Only RFC 3261 branches are keyed;
/// the RFC 2543 fallback of §17.2.3 (matching on Request-URI, tags, Call-ID, CSeq and Via without a
/// magic-cookie branch) is left out: a request without a branch is refused (`.missingBranch`).
public struct TransactionKey: Sendable, Hashable, CustomStringConvertible {
    public enum Role: Sendable, Hashable { case client, server }

    public let role: Role
    /// The Via branch, compared exactly.
    public let branch: String
    /// Server keys: the top Via sent-by, host lower-cased, ":port" when written. Empty for clients.
    public let sentBy: String
    /// The transaction's method; ACK is folded into INVITE on the server side.
    public let method: SIPMethod

    public init(role: Role, branch: String, sentBy: String, method: SIPMethod) {
        self.role = role
        self.branch = branch
        self.sentBy = sentBy
        self.method = method
    }

    /// The branch alone: it tells transactions apart (§17.1.3, §17.2.3), so the sent-by and
    /// method only matter to `==`. Every transaction and timer table lookup hashes a key.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(branch)
    }

    public var description: String {
        switch role {
        case .client: "client \(method) \(branch)"
        case .server: "server \(method) \(branch) \(sentBy)"
        }
    }

    /// §17.1.3: the key of a client transaction sending `request` (its own top Via and method).
    public static func client(sending request: SIPMessage) throws(TransactionLayerError) -> TransactionKey {
        guard let method = request.method else { throw TransactionLayerError(.notARequest, "start line") }
        let via = try topVia(of: request)
        return TransactionKey(role: .client, branch: try branch(of: via), sentBy: "", method: method)
    }

    /// §17.1.3: the client transaction a response belongs to: top Via branch and CSeq method.
    public static func client(matching response: SIPMessage) throws(TransactionLayerError) -> TransactionKey {
        let via = try topVia(of: response)
        guard let cseq = response.cseq else { throw TransactionLayerError(.missingCSeq, "CSeq") }
        return TransactionKey(role: .client, branch: try branch(of: via), sentBy: "", method: cseq.method)
    }

    /// §17.2.3: the server transaction a request belongs to: branch, sent-by and method, with an
    /// ACK matching the INVITE it acknowledges.
    public static func server(matching request: SIPMessage) throws(TransactionLayerError) -> TransactionKey {
        guard let method = request.method else { throw TransactionLayerError(.notARequest, "start line") }
        let via = try topVia(of: request)
        return TransactionKey(role: .server, branch: try branch(of: via), sentBy: sentBy(of: via),
                              method: method == .ack ? .invite : method)
    }

    /// §9.2: the INVITE server transaction a CANCEL targets: the CANCEL's own key with the method
    /// INVITE (a CANCEL carries the top Via of the request it cancels, §9.1).
    public static func cancelTarget(of cancel: SIPMessage) throws(TransactionLayerError) -> TransactionKey {
        let key = try server(matching: cancel)
        return TransactionKey(role: .server, branch: key.branch, sentBy: key.sentBy, method: .invite)
    }

    private static func topVia(of message: SIPMessage) throws(TransactionLayerError) -> SIPVia {
        guard let via = message.topVia else { throw TransactionLayerError(.missingVia, "Via") }
        return via
    }

    private static func branch(of via: SIPVia) throws(TransactionLayerError) -> String {
        guard let branch = via.branch, via.hasMagicCookie else {
            throw TransactionLayerError(.missingBranch, "Via branch")
        }
        return branch
    }

    private static func sentBy(of via: SIPVia) -> String {
        let host = via.host.string.lowercased()
        return via.port.map { "\(host):\($0)" } ?? host
    }
}
