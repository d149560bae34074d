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

    /// The lookup the layout scan uses: `p[lo..<hi]` holds only token bytes (RFC 3261 §25.1),
    /// so setting bit 5 of every byte folds case exactly against the catalogue, whose names are
    /// letters and "-" (the only other byte that folds to "-" is CR, never a token byte). The
    /// name is compared as up to three little-endian words; the constants are the lowercase
    /// names (in the comments), checked against `init(_:)` by a unit test for every case.
    @inline(__always)
    static func lookup(tokenBytes p: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> SIPHeaderName {
        let count = hi - lo
        guard count >= 2, count <= 24, lo + 24 <= p.count, let base = p.baseAddress else {
            return SIPHeaderName(UnsafeBufferPointer(rebasing: p[lo..<hi]))
        }
        // Invariant: the three loads lie in [lo, lo + 24) ⊂ [0, p.count); bytes past the name are masked off.
        let raw = UnsafeRawPointer(base)
        @inline(__always) func word(_ k: Int) -> UInt64 {
            let left = count - 8 * k
            if left <= 0 { return 0 }
            let w = raw.loadUnaligned(fromByteOffset: lo + 8 * k, as: UInt64.self) | 0x2020_2020_2020_2020
            return left >= 8 ? w : w & ((1 << UInt64(left * 8)) &- 1)
        }
        let w0 = word(0), w1 = word(1), w2 = word(2)
        switch count {
        case 2:
            if w0 == 0x0000000000006F74 { return .to } // to
        case 3:
            if w0 == 0x0000000000616976 { return .via } // via
        case 4:
            if w0 == 0x0000000071657363 { return .cseq } // cseq
            if w0 == 0x0000000065746164 { return .date } // date
            if w0 == 0x000000006D6F7266 { return .from } // from
            if w0 == 0x0000000068746170 { return .path } // path
            if w0 == 0x000000006B636172 { return .rack } // rack
            if w0 == 0x0000000071657372 { return .rseq } // rseq
        case 5:
            if w0 == 0x000000776F6C6C61 { return .allow } // allow
            if w0 == 0x000000746E657665 { return .event } // event
            if w0 == 0x0000006574756F72 { return .route } // route
        case 6:
            if w0 == 0x0000747065636361 { return .accept } // accept
            if w0 == 0x00006E6F73616572 { return .reason } // reason
            if w0 == 0x0000726576726573 { return .server } // server
        case 7:
            if w0 == 0x0064692D6C6C6163 { return .callID } // call-id
            if w0 == 0x00746361746E6F63 { return .contact } // contact
            if w0 == 0x0073657269707865 { return .expires } // expires
            if w0 == 0x0079636176697270 { return .privacy } // privacy
            if w0 == 0x0065726975716572 { return .require } // require
            if w0 == 0x007463656A627573 { return .subject } // subject
            if w0 == 0x00676E696E726177 { return .warning } // warning
        case 8:
            if w0 == 0x797469726F697270 { return .priority } // priority
            if w0 == 0x6F742D7265666572 { return .referTo } // refer-to
            if w0 == 0x6F742D796C706572 { return .replyTo } // reply-to
        case 9:
            if w0 == 0x666E692D6C6C6163, w1 == 0x000000000000006F { return .callInfo } // call-info
            if w0 == 0x6574726F70707573, w1 == 0x0000000000000064 { return .supported } // supported
            if w0 == 0x6D617473656D6974, w1 == 0x0000000000000070 { return .timestamp } // timestamp
        case 10:
            if w0 == 0x6E692D7472656C61, w1 == 0x0000000000006F66 { return .alertInfo } // alert-info
            if w0 == 0x6E692D726F727265, w1 == 0x0000000000006F66 { return .errorInfo } // error-info
            if w0 == 0x6567612D72657375, w1 == 0x000000000000746E { return .userAgent } // user-agent
        case 11:
            if w0 == 0x796C7065722D6E69, w1 == 0x00000000006F742D { return .inReplyTo } // in-reply-to
            if w0 == 0x697078652D6E696D, w1 == 0x0000000000736572 { return .minExpires } // min-expires
            if w0 == 0x6465727265666572, w1 == 0x000000000079622D { return .referredBy } // referred-by
            if w0 == 0x66612D7972746572, w1 == 0x0000000000726574 { return .retryAfter } // retry-after
            if w0 == 0x726F707075736E75, w1 == 0x0000000000646574 { return .unsupported } // unsupported
        case 12:
            if w0 == 0x76652D776F6C6C61, w1 == 0x0000000073746E65 { return .allowEvents } // allow-events
            if w0 == 0x2D746E65746E6F63, w1 == 0x0000000065707974 { return .contentType } // content-type
            if w0 == 0x77726F662D78616D, w1 == 0x0000000073647261 { return .maxForwards } // max-forwards
            if w0 == 0x7265762D656D696D, w1 == 0x000000006E6F6973 { return .mimeVersion } // mime-version
            if w0 == 0x617A696E6167726F, w1 == 0x000000006E6F6974 { return .organization } // organization
            if w0 == 0x722D64726F636572, w1 == 0x000000006574756F { return .recordRoute } // record-route
        case 13:
            if w0 == 0x7A69726F68747561, w1 == 0x0000006E6F697461 { return .authorization } // authorization
            if w0 == 0x65722D79786F7270, w1 == 0x0000006572697571 { return .proxyRequire } // proxy-require
            if w0 == 0x2D65636976726573, w1 == 0x0000006574756F72 { return .serviceRoute } // service-route
        case 14:
            if w0 == 0x2D746E65746E6F63, w1 == 0x00006874676E656C { return .contentLength } // content-length
        case 15:
            if w0 == 0x652D747065636361, w1 == 0x00676E69646F636E { return .acceptEncoding } // accept-encoding
            if w0 == 0x6C2D747065636361, w1 == 0x0065676175676E61 { return .acceptLanguage } // accept-language
            if w0 == 0x2D6E6F6973736573, w1 == 0x0073657269707865 { return .sessionExpires } // session-expires
        case 16:
            if w0 == 0x2D746E65746E6F63, w1 == 0x676E69646F636E65 { return .contentEncoding } // content-encoding
            if w0 == 0x2D746E65746E6F63, w1 == 0x65676175676E616C { return .contentLanguage } // content-language
            if w0 == 0x687475612D777777, w1 == 0x6574616369746E65 { return .wwwAuthenticate } // www-authenticate
        case 18:
            if w0 == 0x75612D79786F7270, w1 == 0x616369746E656874, w2 == 0x0000000000006574 { return .proxyAuthenticate } // proxy-authenticate
            if w0 == 0x7069726373627573, w1 == 0x6174732D6E6F6974, w2 == 0x0000000000006574 { return .subscriptionState } // subscription-state
        case 19:
            if w0 == 0x69746E6568747561, w1 == 0x692D6E6F69746163, w2 == 0x00000000006F666E { return .authenticationInfo } // authentication-info
            if w0 == 0x2D746E65746E6F63, w1 == 0x7469736F70736964, w2 == 0x00000000006E6F69 { return .contentDisposition } // content-disposition
            if w0 == 0x7472657373612D70, w1 == 0x746E6564692D6465, w2 == 0x0000000000797469 { return .pAssertedIdentity } // p-asserted-identity
            if w0 == 0x75612D79786F7270, w1 == 0x74617A69726F6874, w2 == 0x00000000006E6F69 { return .proxyAuthorization } // proxy-authorization
        case 20:
            if w0 == 0x7265666572702D70, w1 == 0x6E6564692D646572, w2 == 0x0000000079746974 { return .pPreferredIdentity } // p-preferred-identity
        default:
            break
        }
        return .other
    }

    /// Convenience for tests and builders.
    public init(_ name: String) {
        // The string's own UTF-8 storage: no array per header of every message built.
        var name = name
        self = name.withUTF8 { Self($0) }
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
