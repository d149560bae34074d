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

        let value = message.value(of: field)
        let firstEnd = firstViaEnd(value)
        var stamped: [UInt8] = []
        stamped.reserveCapacity(value.count + 48)
        appendDroppingStampParameters(value[value.startIndex..<firstEnd], to: &stamped)
        stamped += ";received=".utf8
        stamped += sourceIP.utf8
        switch via.rport {
        case .requested: stamped += ";rport=\(sourcePort)".utf8
        case .value(let v): stamped += ";rport=\(v)".utf8
        case .absent: break
        }
        stamped += value[firstEnd...]

        // Accessors above must see the stamped Via: the change goes into the bytes, and the index
        // is shifted rather than the message parsed again.
        if let replaced = message.replacingValue(of: field, with: stamped) { return replaced }
        // A message with recorded edits: print and parse it. It passed validation already; a
        // failure here would be our edit's fault, so the original is kept.
        var edited = message
        edited.replaceValue(of: field, with: String(decoding: stamped, as: UTF8.self))
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
    static func firstViaEnd(_ value: ArraySlice<UInt8>) -> Int {
        var quoted = false
        var i = value.startIndex
        while i < value.endIndex {
            switch value[i] {
            case UInt8(ascii: "\""): quoted.toggle()
            case UInt8(ascii: "\\") where quoted: i += 1
            case UInt8(ascii: ",") where !quoted:
                // Trailing whitespace before the comma belongs to the separator.
                var end = i
                while end > value.startIndex, isBlank(value[end - 1]) { end -= 1 }
                return end
            default: break
            }
            i += 1
        }
        var end = value.endIndex
        while end > value.startIndex, isBlank(value[end - 1]) { end -= 1 }
        return end
    }

    /// Appends one via-parm without its `;received[=…]` and `;rport[=…]` parameters (names
    /// case-insensitive, blanks around them ignored); everything else byte for byte.
    static func appendDroppingStampParameters(_ via: ArraySlice<UInt8>, to out: inout [UInt8]) {
        guard var semicolon = via.firstIndex(of: UInt8(ascii: ";")) else {
            out += via
            return
        }
        out += via[..<semicolon]
        while true {
            let start = semicolon + 1
            let end = via[start...].firstIndex(of: UInt8(ascii: ";")) ?? via.endIndex
            let part = via[start..<end]
            var name = part[..<(part.firstIndex(of: UInt8(ascii: "=")) ?? end)]
            while let first = name.first, isBlank(first) { name.removeFirst() }
            while let last = name.last, isBlank(last) { name.removeLast() }
            if !(ASCIIName.equals(name, "received") || ASCIIName.equals(name, "rport")) {
                out.append(UInt8(ascii: ";"))
                out += part
            }
            guard end < via.endIndex else { return }
            semicolon = end
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

}

