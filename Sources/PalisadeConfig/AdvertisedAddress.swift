/// Checks on the address a listener advertises in Via, Contact and Record-Route: `host` or
/// `host:port`, where host is an IPv4 literal, a bracketed IPv6 literal or a DNS name. Unlike a
/// listen address, a name is fine here: it is written into messages, never resolved by Palisade.
enum AdvertisedAddress {
    static func check(_ text: String) -> Result<String, ListenAddress.Problem> {
        let host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                return .failure(.malformed("the IPv6 address has no closing ']'"))
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard IPAddressLiteral.isIPv6(host) else { return .failure(.malformed("\(host) is not an IPv6 address")) }
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return .failure(.malformed("expected ':port' after ']'")) }
                portText = rest.dropFirst()
            }
        } else {
            let colons = text.count { $0 == ":" }
            if colons > 1 {
                return .failure(.malformed("an IPv6 address must be in brackets, as in [2001:db8::1]:5060"))
            }
            if let colon = text.firstIndex(of: ":") {
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            } else {
                host = text[...]
            }
            if host.isEmpty { return .failure(.malformed("the host is empty")) }
            let looksNumeric = host.utf8.allSatisfy { $0.isDigit || $0 == UInt8(ascii: ".") }
            if looksNumeric {
                guard IPAddressLiteral.isIPv4(host) else { return .failure(.malformed("\(host) is not an IPv4 address")) }
            } else if let why = DNSName.problem(host, allowWildcard: false) {
                return .failure(.malformed(why))
            }
        }
        if let portText {
            guard !portText.isEmpty, portText.utf8.allSatisfy(\.isDigit), portText.count <= 6, let port = Int(portText) else {
                return .failure(.malformed("the port \(portText.isEmpty ? "is missing after ':'" : "\(portText) is not a number")"))
            }
            guard (1...65_535).contains(port) else { return .failure(.portOutOfRange(port)) }
        }
        return .success(text)
    }
}

/// RFC 1123 §2.1 host names, as used in advertised addresses and TLS server names.
enum DNSName {
    /// Why `text` is not a host name, or nil when it is one. With `allowWildcard`, a first label
    /// of `*` is accepted (`*.example.com`, RFC 6125 §6.4.3).
    static func problem(_ text: Substring, allowWildcard: Bool) -> String? {
        if text.utf8.count > 253 { return "\(text) is longer than 253 characters, too long for a DNS name" }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        for (index, label) in labels.enumerated() {
            if index == 0 && allowWildcard && label == "*" && labels.count > 2 { continue }
            let valid = (1...63).contains(label.utf8.count)
                && label.utf8.allSatisfy { $0.isASCIILetter || $0.isDigit || $0 == UInt8(ascii: "-") }
                && !label.hasPrefix("-") && !label.hasSuffix("-")
            if !valid {
                return "\(text) is not a DNS name (labels of 1 to 63 letters, digits and inner '-', separated by '.')"
                    + (allowWildcard ? "; a wildcard is '*.' before at least two labels" : "")
            }
        }
        return nil
    }
}

extension UInt8 {
    var isASCIILetter: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }
}
