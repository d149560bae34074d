import NIOCore
import SIPMessage

/// The server transport's edits to a received request's top Via, and where its responses go.
enum ViaStamping {
    /// RFC 3261 §18.2.1: add `received` when the sent-by host is a name or differs from the packet's
    /// source; RFC 3581 §4: when `rport` is present without a value, add `received` always and fill
    /// `rport` with the source port. Returns nil when nothing needs changing (or there is no Via).
    static func stamp(_ message: SIPMessage, source: SocketAddress, framing: SIPMessage.Framing,
                      limits: SIPLimits) -> SIPMessage? {
        guard message.isRequest, let field = message.field(.via), let via = message.topVia,
              let sourceIP = source.ipAddress, let sourcePort = source.port else { return nil }
        // With rport requested (most phones) the Via is stamped whatever its sent-by says, and
        // the canonical forms (two address conversions) are not needed.
        let rportRequested = via.rport == SIPRPort.requested
        guard rportRequested || canonicalIP(stripBrackets(via.host.string)) != canonicalIP(sourceIP) else { return nil }

        let value = Array(message.value(of: field))
        let firstEnd = firstViaEnd(value)
        var first = String(decoding: value[0..<firstEnd], as: UTF8.self)
        let rest = String(decoding: value[firstEnd...], as: UTF8.self)
        first = removingParameters(["received", "rport"], from: first)
        first += ";received=\(sourceIP)"
        switch via.rport {
        case .requested: first += ";rport=\(sourcePort)"
        case .value(let v): first += ";rport=\(v)"
        case .absent: break
        }

        // Accessors above must see the stamped Via: the change goes into the bytes, and the index
        // is shifted rather than the message parsed again.
        let stamped = Array((first + rest).utf8)
        if let replaced = message.replacingValue(of: field, with: stamped) { return replaced }
        // A message with recorded edits: print and parse it. It passed validation already; a
        // failure here would be our edit's fault, so the original is kept.
        var edited = message
        edited.replaceValue(of: field, with: first + rest)
        return try? SIPMessage(parsing: edited.printed, framing: framing, limits: limits)
    }

    /// RFC 3261 §18.2.2 with RFC 3581 §4: where a response goes when it cannot (or need not) use the
    /// request's connection. The response's top Via is the request's, as stamped on arrival.
    static func responseDestination(topVia via: SIPVia, transport: TransportKind) -> HostPort {
        let sentByHost = stripBrackets(via.host.string)
        let sentByPort = via.port ?? transport.defaultPort
        if let maddr = via.maddr, !transport.isStream {
            return HostPort(stripBrackets(maddr), sentByPort)
        }
        if let received = via.received {
            if !transport.isStream, case .value(let rport) = via.rport {
                return HostPort(stripBrackets(received), rport)
            }
            return HostPort(stripBrackets(received), sentByPort)
        }
        return HostPort(sentByHost, sentByPort)
    }

    static func stripBrackets(_ host: String) -> String {
        if host.hasPrefix("["), host.hasSuffix("]") { return String(host.dropFirst().dropLast()) }
        return host
    }

    /// IP literals compared in canonical form (`2001:DB8::1` equals `2001:db8:0::1`); names as given.
    static func canonicalIP(_ host: String) -> String {
        (try? SocketAddress(ipAddress: host, port: 0))?.ipAddress ?? host.lowercased()
    }

    /// End of the first via-parm in a Via value: the first comma outside a quoted string.
    static func firstViaEnd(_ value: [UInt8]) -> Int {
        var quoted = false
        var i = 0
        while i < value.count {
            switch value[i] {
            case UInt8(ascii: "\""): quoted.toggle()
            case UInt8(ascii: "\\") where quoted: i += 1
            case UInt8(ascii: ",") where !quoted:
                // Trailing whitespace before the comma belongs to the separator.
                var end = i
                while end > 0, value[end - 1] == UInt8(ascii: " ") || value[end - 1] == UInt8(ascii: "\t") { end -= 1 }
                return end
            default: break
            }
            i += 1
        }
        var end = value.count
        while end > 0, value[end - 1] == UInt8(ascii: " ") || value[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        return end
    }

    /// Drops `;name` and `;name=value` parameters (case-insensitive) from one via-parm.
    static func removingParameters(_ names: Set<String>, from via: String) -> String {
        let parts = via.split(separator: ";", omittingEmptySubsequences: false)
        guard let head = parts.first else { return via }
        var out = String(head)
        for part in parts.dropFirst() {
            let name = part.split(separator: "=", maxSplits: 1).first.map {
                String($0).trimmingCharacters(" \t").lowercased()
            } ?? ""
            if names.contains(name) { continue }
            out += ";" + part
        }
        return out
    }
}

