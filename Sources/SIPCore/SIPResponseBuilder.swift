import SIPMessage

/// Builds responses and the non-2xx ACK from the request they belong to, copying header values
/// byte-exact from the request (never re-serializing them).
public enum SIPResponseBuilder {
    /// RFC 3261 §8.2.6.2: a response copies every Via (in order), From, Call-ID and CSeq of the
    /// request, and its To; a To without a tag gets `toTag`, except in a 100 (Trying), which
    /// §8.2.6.2 lets go without one. §8.2.6.1: a 100 (Trying) copies the Timestamp.
    ///
    /// `toTag` comes from the caller, who owns randomness and dialog state; when nil, a To
    /// without a tag stays without one. `headers` are appended after the copied ones.
    public static func response(
        to request: SIPMessage, status: Int, reason: String? = nil, toTag: String? = nil,
        headers extra: [(String, String)] = [], body: [UInt8] = []
    ) -> SIPMessage {
        var headers: [(String, String)] = []
        headers.reserveCapacity(8 + extra.count)
        for field in request.fields where field.name == .via {
            headers.append(("Via", text(request.value(of: field))))
        }
        if let from = request.field(.from) { headers.append(("From", text(request.value(of: from)))) }
        if let to = request.field(.to) {
            var value = text(request.value(of: to))
            if status != 100, let toTag, request.to?.tag == nil { value += ";tag=" + toTag }
            headers.append(("To", value))
        }
        if let callID = request.field(.callID) { headers.append(("Call-ID", text(request.value(of: callID)))) }
        if let cseq = request.field(.cseq) { headers.append(("CSeq", text(request.value(of: cseq)))) }
        if status == 100, let timestamp = request.field(.timestamp) {
            headers.append(("Timestamp", text(request.value(of: timestamp))))
        }
        headers.append(contentsOf: extra)
        return SIPMessage.response(status, reason: reason ?? SIPStatus.reasonPhrase(status), headers: headers, body: body)
    }

    /// RFC 3261 §17.1.1.3: the ACK a client INVITE transaction sends for a non-2xx final response.
    /// Request-URI, Call-ID, From and the CSeq number of the INVITE; the To of the response (with
    /// its tag); exactly one Via, the top Via of the INVITE; the INVITE's Route headers.
    public static func ack(for invite: SIPMessage, response: SIPMessage) -> SIPMessage {
        var headers: [(String, String)] = []
        if let via = invite.values(.via).first { headers.append(("Via", text(via))) }
        for field in invite.fields where field.name == .route {
            headers.append(("Route", text(invite.value(of: field))))
        }
        headers.append(("Max-Forwards", "70"))
        if let from = invite.field(.from) { headers.append(("From", text(invite.value(of: from)))) }
        if let to = response.field(.to) ?? invite.field(.to) {
            let source = response.field(.to) != nil ? response : invite
            headers.append(("To", text(source.value(of: to))))
        }
        if let callID = invite.field(.callID) { headers.append(("Call-ID", text(invite.value(of: callID)))) }
        if let cseq = invite.cseq { headers.append(("CSeq", "\(cseq.sequence) ACK")) }
        let uri = invite.requestURIBytes.map(text) ?? ""
        return SIPMessage.request(.ack, uri: uri, headers: headers)
    }

    static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}

/// Default reason phrases (RFC 3261 §21) for the statuses Palisade itself produces.
public enum SIPStatus {
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Trying"
        case 180: "Ringing"
        case 183: "Session Progress"
        case 200: "OK"
        case 202: "Accepted"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 407: "Proxy Authentication Required"
        case 408: "Request Timeout"
        case 413: "Request Entity Too Large"
        case 415: "Unsupported Media Type"
        case 416: "Unsupported URI Scheme"
        case 420: "Bad Extension"
        case 421: "Extension Required"
        case 423: "Interval Too Brief"
        case 480: "Temporarily Unavailable"
        case 481: "Call/Transaction Does Not Exist"
        case 482: "Loop Detected"
        case 483: "Too Many Hops"
        case 486: "Busy Here"
        case 487: "Request Terminated"
        case 488: "Not Acceptable Here"
        case 491: "Request Pending"
        case 500: "Server Internal Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Server Time-out"
        case 505: "Version Not Supported"
        case 513: "Message Too Large"
        case 603: "Decline"
        default:
            switch status / 100 {
            case 1: "Session Progress"
            case 2: "OK"
            case 3: "Redirection"
            case 4: "Client Error"
            case 5: "Server Error"
            default: "Global Failure"
            }
        }
    }
}
