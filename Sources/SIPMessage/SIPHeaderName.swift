/// The catalogue of header names Palisade knows (RFC 3261 §20 and extensions), with compact
/// forms (RFC 3261 §7.3.3) and whether a field may carry a comma-separated list (§7.3.1).
///
/// Any other name is `.other`; such fields are kept byte-exact and never split.
public enum SIPHeaderName: UInt8, CaseIterable, Sendable {
    case accept, acceptEncoding, acceptLanguage, alertInfo, allow, allowEvents, authenticationInfo
    case authorization, callID, callInfo, contact, contentDisposition, contentEncoding
    case contentLanguage, contentLength, contentType, cseq, date, errorInfo, event, expires
    case from, inReplyTo, maxForwards, minExpires, mimeVersion, organization, path
    case pAssertedIdentity, pPreferredIdentity, priority, privacy, proxyAuthenticate
    case proxyAuthorization, proxyRequire, rack, reason, recordRoute, referTo, referredBy
    case replyTo, require, retryAfter, route, rseq, server, serviceRoute, sessionExpires
    case subject, subscriptionState, supported, timestamp, to, unsupported, userAgent, via
    case warning, wwwAuthenticate
    /// A name not in the catalogue.
    case other

    /// The canonical spelling used when Palisade prints a header of this kind.
    public var canonicalName: String {
        switch self {
        case .accept: "Accept"
        case .acceptEncoding: "Accept-Encoding"
        case .acceptLanguage: "Accept-Language"
        case .alertInfo: "Alert-Info"
        case .allow: "Allow"
        case .allowEvents: "Allow-Events"
        case .authenticationInfo: "Authentication-Info"
        case .authorization: "Authorization"
        case .callID: "Call-ID"
        case .callInfo: "Call-Info"
        case .contact: "Contact"
        case .contentDisposition: "Content-Disposition"
        case .contentEncoding: "Content-Encoding"
        case .contentLanguage: "Content-Language"
        case .contentLength: "Content-Length"
        case .contentType: "Content-Type"
        case .cseq: "CSeq"
        case .date: "Date"
        case .errorInfo: "Error-Info"
        case .event: "Event"
        case .expires: "Expires"
        case .from: "From"
        case .inReplyTo: "In-Reply-To"
        case .maxForwards: "Max-Forwards"
        case .minExpires: "Min-Expires"
        case .mimeVersion: "MIME-Version"
        case .organization: "Organization"
        case .path: "Path"
        case .pAssertedIdentity: "P-Asserted-Identity"
        case .pPreferredIdentity: "P-Preferred-Identity"
        case .priority: "Priority"
        case .privacy: "Privacy"
        case .proxyAuthenticate: "Proxy-Authenticate"
        case .proxyAuthorization: "Proxy-Authorization"
        case .proxyRequire: "Proxy-Require"
        case .rack: "RAck"
        case .reason: "Reason"
        case .recordRoute: "Record-Route"
        case .referTo: "Refer-To"
        case .referredBy: "Referred-By"
        case .replyTo: "Reply-To"
        case .require: "Require"
        case .retryAfter: "Retry-After"
        case .route: "Route"
        case .rseq: "RSeq"
        case .server: "Server"
        case .serviceRoute: "Service-Route"
        case .sessionExpires: "Session-Expires"
        case .subject: "Subject"
        case .subscriptionState: "Subscription-State"
        case .supported: "Supported"
        case .timestamp: "Timestamp"
        case .to: "To"
        case .unsupported: "Unsupported"
        case .userAgent: "User-Agent"
        case .via: "Via"
        case .warning: "Warning"
        case .wwwAuthenticate: "WWW-Authenticate"
        case .other: ""
        }
    }

    /// The one-letter compact form (RFC 3261 §7.3.3, RFC 3515, RFC 3892, RFC 4028, RFC 6665).
    public var compactForm: Character? {
        switch self {
        case .callID: "i"
        case .contact: "m"
        case .contentEncoding: "e"
        case .contentLength: "l"
        case .contentType: "c"
        case .from: "f"
        case .subject: "s"
        case .supported: "k"
        case .to: "t"
        case .via: "v"
        case .event: "o"
        case .allowEvents: "u"
        case .referTo: "r"
        case .referredBy: "b"
        case .sessionExpires: "x"
        default: nil
        }
    }

    /// Whether the grammar allows several comma-separated values in one field (RFC 3261 §7.3.1).
    /// Single-value headers (Date, Call-ID, From, …) and unknown headers are never split.
    public var allowsList: Bool {
        switch self {
        case .accept, .acceptEncoding, .acceptLanguage, .alertInfo, .allow, .allowEvents,
             .callInfo, .contact, .contentEncoding, .contentLanguage, .errorInfo, .inReplyTo,
             .path, .pAssertedIdentity, .pPreferredIdentity, .proxyRequire, .recordRoute,
             .require, .route, .serviceRoute, .supported, .unsupported, .via, .warning, .privacy:
            true
        default:
            false
        }
    }

    /// Headers of which a message may carry at most one field (RFC 3261 §20, table 2).
    public var isSingleton: Bool {
        switch self {
        case .callID, .cseq, .from, .to, .maxForwards, .contentLength, .contentType, .expires,
             .minExpires, .rseq, .rack, .sessionExpires, .replyTo, .referTo, .referredBy:
            true
        default:
            false
        }
    }

    /// Case-insensitive lookup of a field name as it appears on the wire, including compact forms.
    public init<Bytes: Collection<UInt8>>(_ name: Bytes) where Bytes.Index == Int {
        if name.count == 1 {
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "i"): self = .callID
            case UInt8(ascii: "m"): self = .contact
            case UInt8(ascii: "e"): self = .contentEncoding
            case UInt8(ascii: "l"): self = .contentLength
            case UInt8(ascii: "c"): self = .contentType
            case UInt8(ascii: "f"): self = .from
            case UInt8(ascii: "s"): self = .subject
            case UInt8(ascii: "k"): self = .supported
            case UInt8(ascii: "t"): self = .to
            case UInt8(ascii: "v"): self = .via
            case UInt8(ascii: "o"): self = .event
            case UInt8(ascii: "u"): self = .allowEvents
            case UInt8(ascii: "r"): self = .referTo
            case UInt8(ascii: "b"): self = .referredBy
            case UInt8(ascii: "x"): self = .sessionExpires
            default: self = .other
            }
            return
        }
        switch name.count {
        case 2:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "t"):
                if SIPHeaderName.matches(name, "to") { self = .to; return }
            default:
                break
            }
        case 3:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "v"):
                if SIPHeaderName.matches(name, "via") { self = .via; return }
            default:
                break
            }
        case 4:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "c"):
                if SIPHeaderName.matches(name, "cseq") { self = .cseq; return }
            case UInt8(ascii: "d"):
                if SIPHeaderName.matches(name, "date") { self = .date; return }
            case UInt8(ascii: "f"):
                if SIPHeaderName.matches(name, "from") { self = .from; return }
            case UInt8(ascii: "p"):
                if SIPHeaderName.matches(name, "path") { self = .path; return }
            case UInt8(ascii: "r"):
                if SIPHeaderName.matches(name, "rack") { self = .rack; return }
                if SIPHeaderName.matches(name, "rseq") { self = .rseq; return }
            default:
                break
            }
        case 5:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "a"):
                if SIPHeaderName.matches(name, "allow") { self = .allow; return }
            case UInt8(ascii: "e"):
                if SIPHeaderName.matches(name, "event") { self = .event; return }
            case UInt8(ascii: "r"):
                if SIPHeaderName.matches(name, "route") { self = .route; return }
            default:
                break
            }
        case 6:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "a"):
                if SIPHeaderName.matches(name, "accept") { self = .accept; return }
            case UInt8(ascii: "r"):
                if SIPHeaderName.matches(name, "reason") { self = .reason; return }
            case UInt8(ascii: "s"):
                if SIPHeaderName.matches(name, "server") { self = .server; return }
            default:
                break
            }
        case 7:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "c"):
                if SIPHeaderName.matches(name, "call-id") { self = .callID; return }
                if SIPHeaderName.matches(name, "contact") { self = .contact; return }
            case UInt8(ascii: "e"):
                if SIPHeaderName.matches(name, "expires") { self = .expires; return }
            case UInt8(ascii: "p"):
                if SIPHeaderName.matches(name, "privacy") { self = .privacy; return }
            case UInt8(ascii: "r"):
                if SIPHeaderName.matches(name, "require") { self = .require; return }
            case UInt8(ascii: "s"):
                if SIPHeaderName.matches(name, "subject") { self = .subject; return }
            case UInt8(ascii: "w"):
                if SIPHeaderName.matches(name, "warning") { self = .warning; return }
            default:
                break
            }
        case 8:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "p"):
                if SIPHeaderName.matches(name, "priority") { self = .priority; return }
            case UInt8(ascii: "r"):
                if SIPHeaderName.matches(name, "refer-to") { self = .referTo; return }
                if SIPHeaderName.matches(name, "reply-to") { self = .replyTo; return }
            default:
                break
            }
        case 9:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "c"):
                if SIPHeaderName.matches(name, "call-info") { self = .callInfo; return }
            case UInt8(ascii: "s"):
                if SIPHeaderName.matches(name, "supported") { self = .supported; return }
            case UInt8(ascii: "t"):
                if SIPHeaderName.matches(name, "timestamp") { self = .timestamp; return }
            default:
                break
            }
        case 10:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "a"):
                if SIPHeaderName.matches(name, "alert-info") { self = .alertInfo; return }
            case UInt8(ascii: "e"):
                if SIPHeaderName.matches(name, "error-info") { self = .errorInfo; return }
            case UInt8(ascii: "u"):
                if SIPHeaderName.matches(name, "user-agent") { self = .userAgent; return }
            default:
                break
            }
        case 11:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "i"):
                if SIPHeaderName.matches(name, "in-reply-to") { self = .inReplyTo; return }
            case UInt8(ascii: "m"):
                if SIPHeaderName.matches(name, "min-expires") { self = .minExpires; return }
            case UInt8(ascii: "r"):
                if SIPHeaderName.matches(name, "referred-by") { self = .referredBy; return }
                if SIPHeaderName.matches(name, "retry-after") { self = .retryAfter; return }
            case UInt8(ascii: "u"):
                if SIPHeaderName.matches(name, "unsupported") { self = .unsupported; return }
            default:
                break
            }
        case 12:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "a"):
                if SIPHeaderName.matches(name, "allow-events") { self = .allowEvents; return }
            case UInt8(ascii: "c"):
                if SIPHeaderName.matches(name, "content-type") { self = .contentType; return }
            case UInt8(ascii: "m"):
                if SIPHeaderName.matches(name, "max-forwards") { self = .maxForwards; return }
                if SIPHeaderName.matches(name, "mime-version") { self = .mimeVersion; return }
            case UInt8(ascii: "o"):
                if SIPHeaderName.matches(name, "organization") { self = .organization; return }
            case UInt8(ascii: "r"):
                if SIPHeaderName.matches(name, "record-route") { self = .recordRoute; return }
            default:
                break
            }
        case 13:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "a"):
                if SIPHeaderName.matches(name, "authorization") { self = .authorization; return }
            case UInt8(ascii: "p"):
                if SIPHeaderName.matches(name, "proxy-require") { self = .proxyRequire; return }
            case UInt8(ascii: "s"):
                if SIPHeaderName.matches(name, "service-route") { self = .serviceRoute; return }
            default:
                break
            }
        case 14:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "c"):
                if SIPHeaderName.matches(name, "content-length") { self = .contentLength; return }
            default:
                break
            }
        case 15:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "a"):
                if SIPHeaderName.matches(name, "accept-encoding") { self = .acceptEncoding; return }
                if SIPHeaderName.matches(name, "accept-language") { self = .acceptLanguage; return }
            case UInt8(ascii: "s"):
                if SIPHeaderName.matches(name, "session-expires") { self = .sessionExpires; return }
            default:
                break
            }
        case 16:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "c"):
                if SIPHeaderName.matches(name, "content-encoding") { self = .contentEncoding; return }
                if SIPHeaderName.matches(name, "content-language") { self = .contentLanguage; return }
            case UInt8(ascii: "w"):
                if SIPHeaderName.matches(name, "www-authenticate") { self = .wwwAuthenticate; return }
            default:
                break
            }
        case 18:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "p"):
                if SIPHeaderName.matches(name, "proxy-authenticate") { self = .proxyAuthenticate; return }
            case UInt8(ascii: "s"):
                if SIPHeaderName.matches(name, "subscription-state") { self = .subscriptionState; return }
            default:
                break
            }
        case 19:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "a"):
                if SIPHeaderName.matches(name, "authentication-info") { self = .authenticationInfo; return }
            case UInt8(ascii: "c"):
                if SIPHeaderName.matches(name, "content-disposition") { self = .contentDisposition; return }
            case UInt8(ascii: "p"):
                if SIPHeaderName.matches(name, "p-asserted-identity") { self = .pAssertedIdentity; return }
                if SIPHeaderName.matches(name, "proxy-authorization") { self = .proxyAuthorization; return }
            default:
                break
            }
        case 20:
            switch ASCII.lowercased(name[name.startIndex]) {
            case UInt8(ascii: "p"):
                if SIPHeaderName.matches(name, "p-preferred-identity") { self = .pPreferredIdentity; return }
            default:
                break
            }
        default:
            break
        }
        self = .other
    }

    /// Convenience for tests and builders.
    public init(_ name: String) {
        self.init(ArraySlice(name.utf8))
    }

    /// Case-insensitive match against a lowercase literal of the same length.
    @inline(__always)
    private static func matches<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ lower: StaticString) -> Bool where Bytes.Index == Int {
        let literal = lower.utf8Start
        var i = bytes.startIndex
        for k in 0..<lower.utf8CodeUnitCount {
            if ASCII.lowercased(bytes[i]) != literal[k] { return false }
            i += 1
        }
        return true
    }
}
