import SIPMessage

/// Builds the answer to a request that failed parsing or validation, from its raw bytes.
///
/// The request may not parse, so the headers a response must copy (RFC 3261 §8.2.6.2: Via, From,
/// To, Call-ID, CSeq) are picked line by line, leniently, in full or compact form. Without a Via
/// there is nowhere a response could be routed to, and nil is returned.
enum ErrorResponse {
    static func make(status: Int, reason: String, request bytes: [UInt8]) -> [UInt8]? {
        var copied: [(String, String)] = []
        var hasVia = false
        var toHasTag = false
        var lines = splitLines(bytes)
        guard !lines.isEmpty else { return nil }
        lines.removeFirst()  // request line
        for line in lines {
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
                .trimmingCharacters(" \t").lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingCharacters(" \t")
            let canonical: String
            switch name {
            case "via", "v": canonical = "Via"; hasVia = true
            case "from", "f": canonical = "From"
            case "to", "t":
                canonical = "To"
                toHasTag = value.lowercased().contains(";tag=")
            case "call-id", "i": canonical = "Call-ID"
            case "cseq": canonical = "CSeq"
            default: continue
            }
            copied.append((canonical, value))
        }
        guard hasVia else { return nil }
        if !toHasTag, let k = copied.firstIndex(where: { $0.0 == "To" }) {
            // RFC 3261 §8.2.6.2: a To tag on every response except 100.
            copied[k].1 += ";tag=pal\(status)"
        }
        var out = Array("SIP/2.0 \(status) \(reason)\r\n".utf8)
        for (name, value) in copied { out += Array("\(name): \(value)\r\n".utf8) }
        out += Array("Server: Palisade\r\nContent-Length: 0\r\n\r\n".utf8)
        return out
    }

    /// Lines of the header section, without line ends; folded continuation lines are dropped.
    private static func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") {
                var end = i
                if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = bytes[start..<end]
                if line.isEmpty { lines.append(line); break }
                if let f = line.first, f == UInt8(ascii: " ") || f == UInt8(ascii: "\t") {
                    // Continuation of a folded line: not needed for the five copied headers' routing.
                } else {
                    lines.append(line)
                }
                start = i + 1
            }
            i += 1
        }
        return lines
    }
}

extension String {
    func trimmingCharacters(_ set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s = s.dropFirst() }
        while let c = s.last, set.contains(c) { s = s.dropLast() }
        return String(s)
    }
}
