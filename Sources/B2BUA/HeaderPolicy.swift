import SIPMessage

/// Which headers of a message on one leg are copied to the message Palisade builds on the other
/// leg (issue 6, item 2). A B2BUA builds every message it sends from its own dialog state, so the
/// headers that carry addresses, hosts and identifiers — Via, Route, Record-Route, Contact,
/// Call-ID, From/To tags, CSeq, Max-Forwards, Content-Length — are never copied; everything else
/// is copied only when it is on this list (policy as data, STYLE 12).
///
/// The default list is what a call needs end to end and reveals nothing of the other realm's
/// topology:
/// - capabilities and session semantics: Allow, Accept, Accept-Encoding, Accept-Language,
///   Supported, Require, Session-Expires, Min-SE (RFC 4028), Event, Subscription-State,
///   Allow-Events, Refer-To, Referred-By, Replaces (in-dialog REFER/NOTIFY relay), Reason,
///   Subject, Priority, Organization, Date, Retry-After, Warning. RSeq and RAck are never
///   copied: reliable provisionals are numbered per leg and `Call` maps RSeq/RAck between them
///   (RFC 3262).
/// - body description: Content-Type, Content-Disposition, Content-Encoding, Content-Language,
///   MIME-Version (bodies other than SDP pass unchanged).
/// - `WWW-Authenticate`, `Proxy-Authenticate` on responses and `Authorization`,
///   `Proxy-Authorization` on requests: a challenge from the core passes to the phone and its
///   answer back (digest ties the answer to the Request-URI the phone used, which the core sees
///   as the same user part on its own host; a core that checks the uri parameter strictly needs
///   the registrar relay of issue 6 item 4).
/// - User-Agent and Server are off by default: they name the product and version of the other
///   side, which an operator may not want to expose; a realm pair can add them.
/// - P-Asserted-Identity and Privacy (RFC 3325) pass only from a trusted realm: an untrusted
///   phone cannot assert an identity the core would believe.
///
/// Option tags in Supported and Require are filtered: `100rel`, `path`, `gruu`, `outbound` and
/// `sec-agree` name mechanisms that work per leg, so they are never copied as they are; a Require
/// left empty is removed. `100rel` is one Palisade performs per leg (`perLegOptionTags`): `Call`
/// writes it on each leg itself (RFC 3262), so a caller requiring it is served, not refused. The
/// others it does not perform: a request requiring one gets 420.
public struct HeaderPolicy: Sendable, Equatable {
    /// Lowercased header names copied between the legs, whatever the source realm's trust.
    public var allowed: Set<String>
    /// Lowercased header names copied only when the source realm is trusted.
    public var trustedOnly: Set<String>
    /// Option tags removed from Supported and Require.
    public var droppedOptionTags: Set<String>
    /// Option tags that Palisade performs itself on each leg (written there by `Call`): never
    /// copied, whatever `droppedOptionTags` says, and a request requiring one is served, not
    /// refused.
    public static let perLegOptionTags: Set<String> = ["100rel"]

    public init(allowed: Set<String>, trustedOnly: Set<String>, droppedOptionTags: Set<String>) {
        self.allowed = Set(allowed.map { $0.lowercased() })
        self.trustedOnly = Set(trustedOnly.map { $0.lowercased() })
        self.droppedOptionTags = Set(droppedOptionTags.map { $0.lowercased() })
    }

    public static let `default` = HeaderPolicy(
        allowed: ["Allow", "Accept", "Accept-Encoding", "Accept-Language", "Supported", "Require",
                  "Session-Expires", "Min-SE", "Event", "Subscription-State", "Allow-Events", "Refer-To",
                  "Referred-By", "Replaces", "Reason", "Subject", "Priority", "Organization", "Date",
                  "Retry-After", "Warning", "Content-Disposition", "Content-Encoding", "Content-Language",
                  "MIME-Version", "WWW-Authenticate", "Proxy-Authenticate", "Authorization",
                  "Proxy-Authorization", "Unsupported"],
        trustedOnly: ["P-Asserted-Identity", "Privacy"],
        droppedOptionTags: ["100rel", "path", "gruu", "outbound", "sec-agree"])

    /// Headers never copied, whatever a configuration says: the B2BUA writes them from its own
    /// dialog state (topology hiding, RFC 3261 §8.1.1, §12).
    static let neverCopied: Set<String> = [
        "via", "v", "route", "record-route", "contact", "m", "call-id", "i", "from", "f", "to", "t", "cseq",
        "max-forwards", "content-length", "l", "content-type", "c", "rseq", "rack",
    ]

    /// Compact forms (RFC 3261 §7.3.3) of the headers on the default list.
    static let compactForms: [String: String] = [
        "k": "supported", "o": "event", "r": "refer-to", "b": "referred-by", "s": "subject", "e": "content-encoding",
        "u": "allow-events", "x": "session-expires",
    ]

    /// The option tags of `message`'s Require (and Proxy-Require) that this policy drops and
    /// Palisade does not perform per leg: a request requiring one must be refused with 420
    /// (RFC 3261 §8.2.2.3).
    public func unsupported(in message: SIPMessage) -> [String] {
        var out: [String] = []
        for field in message.fields where field.name == .require || field.name == .proxyRequire {
            for tag in text(message.value(of: field)).split(separator: ",").map({ $0.trimmingSpaces() })
                where droppedOptionTags.contains(tag.lowercased()) && !Self.perLegOptionTags.contains(tag.lowercased())
                && !out.contains(tag) {
                out.append(tag)
            }
        }
        return out
    }

    /// The (name, value) pairs of `message` to copy onto the other leg, in their order.
    public func copied(from message: SIPMessage, sourceTrusted: Bool) -> [(String, String)] {
        var out: [(String, String)] = []
        for field in message.fields {
            let name = text(message.name(of: field).trimmingSpaces())
            var lower = name.lowercased()
            lower = Self.compactForms[lower] ?? lower
            guard !Self.neverCopied.contains(lower) else { continue }
            guard allowed.contains(lower) || (sourceTrusted && trustedOnly.contains(lower)) else { continue }
            var value = text(message.value(of: field))
            if lower == "supported" || lower == "require" {
                let tags = value.split(separator: ",").map { $0.trimmingSpaces() }
                    .filter { !$0.isEmpty && !droppedOptionTags.contains($0.lowercased())
                        && !Self.perLegOptionTags.contains($0.lowercased()) }
                guard !tags.isEmpty else { continue }
                value = tags.joined(separator: ", ")
            }
            out.append((name, value))
        }
        return out
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

extension ArraySlice<UInt8> {
    /// Without leading and trailing spaces and tabs: trimmed before a String is made, which
    /// costs less than trimming its Characters.
    func trimmingSpaces() -> ArraySlice<UInt8> {
        var s = self
        while let f = s.first, f == UInt8(ascii: " ") || f == UInt8(ascii: "\t") { s.removeFirst() }
        while let l = s.last, l == UInt8(ascii: " ") || l == UInt8(ascii: "\t") { s.removeLast() }
        return s
    }
}
