/// What the signalling decides for one message, as `palisadectl sip check` reports it.
public enum SIPCheckVerdict: Sendable, Equatable {
    /// The message passes; it would go on to the transaction layer.
    case accept(isRequest: Bool, method: String?, status: Int?)
    /// A request Palisade answers with `status reason` and does not process further.
    case reject(status: Int, reason: String, code: SIPMessageError.Code, header: String?, offset: Int?)
    /// Discarded silently and counted: a faulty response (RFC 3261 §18.1.2), or bytes too broken
    /// to answer (no start line to tell a request from a response).
    case drop(reason: String, code: SIPMessageError.Code, header: String?, offset: Int?)
}

/// Decides one message exactly as the signalling does: parse (as a datagram, the lenient framing),
/// validate, and turn a fault into an answer for a request or a drop for a response.
public func checkSIPMessage(_ bytes: [UInt8], limits: SIPLimits = .default) -> SIPCheckVerdict {
    let message: SIPMessage
    do {
        message = try SIPMessage(parsing: bytes, framing: .datagram, limits: limits)
    } catch {
        // Without a parsed start line we still answer when it looks like a request.
        guard looksLikeRequest(bytes) else {
            return .drop(reason: error.reasonPhrase, code: error.code, header: error.header, offset: error.offset)
        }
        return .reject(status: error.status, reason: error.reasonPhrase, code: error.code, header: error.header, offset: error.offset)
    }
    do {
        try message.validate(limits: limits)
    } catch {
        if message.isRequest {
            return .reject(status: error.status, reason: error.reasonPhrase, code: error.code, header: error.header, offset: error.offset)
        }
        return .drop(reason: error.reasonPhrase, code: error.code, header: error.header, offset: error.offset)
    }
    return .accept(isRequest: message.isRequest, method: message.method?.description, status: message.statusCode)
}

/// A request starts with a method token and a space; a response with "SIP/".
private func looksLikeRequest(_ bytes: [UInt8]) -> Bool {
    var i = 0
    while i < bytes.count, bytes[i] == ASCII.cr || bytes[i] == ASCII.lf { i += 1 }
    let start = i
    while i < bytes.count, ASCII.isTokenChar(bytes[i]) { i += 1 }
    guard i > start, i < bytes.count, bytes[i] == ASCII.space else { return false }
    return !ASCII.equalsLowercase(bytes[start..<Swift.min(start + 4, bytes.count)], "sip/")
}

extension SIPCheckVerdict: CustomStringConvertible {
    /// One line as `palisadectl sip check` prints it: `accept`, `reject 400 <reason> [header H]
    /// [offset N]` or `drop <reason> [header H] [offset N]`.
    public var description: String {
        func context(_ header: String?, _ offset: Int?) -> String {
            (header.map { " header \($0)" } ?? "") + (offset.map { " offset \($0)" } ?? "")
        }
        switch self {
        case .accept:
            return "accept"
        case .reject(let status, let reason, _, let header, let offset):
            return "reject \(status) \(reason)" + context(header, offset)
        case .drop(let reason, _, let header, let offset):
            return "drop \(reason)" + context(header, offset)
        }
    }
}
