/// An SDES `a=crypto` attribute (RFC 4568 §9.1):
/// `<tag> <crypto-suite> <key-params> [<session-params>]`.
public struct SDPCrypto: Sendable, Equatable, CustomStringConvertible {
    /// 1*9DIGIT; the answer echoes the tag of the offer it accepts (RFC 4568 §5.1.2).
    public var tag: Int
    public var suite: SDPCryptoSuite
    /// One or more `inline:` keys (RFC 4568 §6.1, several only with MKIs).
    public var keys: [SDPCryptoKey]
    /// Session parameters as written (UNENCRYPTED_SRTP, KDR=…, WSH=…, FEC_ORDER=…).
    public var sessionParameters: [String]

    public init(tag: Int, suite: SDPCryptoSuite, keys: [SDPCryptoKey], sessionParameters: [String] = []) {
        self.tag = tag
        self.suite = suite
        self.keys = keys
        self.sessionParameters = sessionParameters
    }

    /// Split on the UTF-8 bytes: a String's `split` compares Characters, which made this parse
    /// (every offer's and answer's a=crypto lines, several times a call) 1.3 % of palisade-signal.
    public init(_ value: String) throws(SDPError) {
        let parts = value.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true).map(Substring.init)
        guard parts.count >= 3, parts[0].utf8.count <= 9, parts[0].utf8.allSatisfy({ $0 < 0x80 }), let tag = Int(parts[0]),
              tag >= 0 else {
            throw SDPError(.badCrypto)
        }
        let suite = SDPCryptoSuite(String(parts[1]))
        var keys: [SDPCryptoKey] = []
        for param in parts[2].utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false) {
            keys.append(try SDPCryptoKey(Substring(param), suite: suite))
        }
        // RFC 4568 §6.1: several keys need MKIs to tell them apart, all of the same length.
        if keys.count > 1 {
            guard let length = keys[0].mki?.length, keys.allSatisfy({ $0.mki?.length == length }) else { throw SDPError(.badCrypto) }
        }
        self.init(tag: tag, suite: suite, keys: keys, sessionParameters: parts.dropFirst(3).map(String.init))
    }

    public var description: String {
        var s = "\(tag) \(suite) " + keys.map(\.description).joined(separator: ";")
        for p in sessionParameters { s += " \(p)" }
        return s
    }
}

/// SRTP crypto suites registered for SDES (RFC 4568 §6.2, RFC 6188 §7.1, RFC 7714 §12).
public enum SDPCryptoSuite: Sendable, Hashable, CustomStringConvertible {
    case aesCM128HMACSHA1_80, aesCM128HMACSHA1_32
    case aes192CMHMACSHA1_80, aes192CMHMACSHA1_32
    case aes256CMHMACSHA1_80, aes256CMHMACSHA1_32
    case aeadAES128GCM, aeadAES256GCM
    case f8_128HMACSHA1_80
    /// A suite Palisade does not know: kept, never chosen.
    case unknown(String)

    public init(_ name: String) {
        switch name {
        case "AES_CM_128_HMAC_SHA1_80": self = .aesCM128HMACSHA1_80
        case "AES_CM_128_HMAC_SHA1_32": self = .aesCM128HMACSHA1_32
        case "AES_192_CM_HMAC_SHA1_80": self = .aes192CMHMACSHA1_80
        case "AES_192_CM_HMAC_SHA1_32": self = .aes192CMHMACSHA1_32
        case "AES_256_CM_HMAC_SHA1_80": self = .aes256CMHMACSHA1_80
        case "AES_256_CM_HMAC_SHA1_32": self = .aes256CMHMACSHA1_32
        case "AEAD_AES_128_GCM": self = .aeadAES128GCM
        case "AEAD_AES_256_GCM": self = .aeadAES256GCM
        case "F8_128_HMAC_SHA1_80": self = .f8_128HMACSHA1_80
        default: self = .unknown(name)
        }
    }

    public var description: String {
        switch self {
        case .aesCM128HMACSHA1_80: "AES_CM_128_HMAC_SHA1_80"
        case .aesCM128HMACSHA1_32: "AES_CM_128_HMAC_SHA1_32"
        case .aes192CMHMACSHA1_80: "AES_192_CM_HMAC_SHA1_80"
        case .aes192CMHMACSHA1_32: "AES_192_CM_HMAC_SHA1_32"
        case .aes256CMHMACSHA1_80: "AES_256_CM_HMAC_SHA1_80"
        case .aes256CMHMACSHA1_32: "AES_256_CM_HMAC_SHA1_32"
        case .aeadAES128GCM: "AEAD_AES_128_GCM"
        case .aeadAES256GCM: "AEAD_AES_256_GCM"
        case .f8_128HMACSHA1_80: "F8_128_HMAC_SHA1_80"
        case .unknown(let name): name
        }
    }

    /// Master key plus master salt length in bytes; nil for an unknown suite.
    public var keySaltLength: Int? {
        switch self {
        case .aesCM128HMACSHA1_80, .aesCM128HMACSHA1_32, .f8_128HMACSHA1_80: 30  // 16 + 14
        case .aes192CMHMACSHA1_80, .aes192CMHMACSHA1_32: 38  // 24 + 14, RFC 6188 §7.1
        case .aes256CMHMACSHA1_80, .aes256CMHMACSHA1_32: 46  // 32 + 14
        case .aeadAES128GCM: 28  // 16 + 12, RFC 7714 §12
        case .aeadAES256GCM: 44  // 32 + 12
        case .unknown: nil
        }
    }
}

/// `inline:<key||salt base64>[|<lifetime>][|<MKI>:<length>]` (RFC 4568 §6.1, §9.2).
public struct SDPCryptoKey: Sendable, Equatable, CustomStringConvertible {
    public enum Lifetime: Sendable, Equatable, CustomStringConvertible {
        /// `2^n` packets.
        case powerOfTwo(Int)
        case packets(UInt64)
        public var description: String {
            switch self {
            case .powerOfTwo(let n): "2^\(n)"
            case .packets(let n): "\(n)"
            }
        }
    }

    /// The key and salt as written (base64, padding as sent), for lossless printing.
    public var encoded: String
    /// Decoded master key followed by master salt.
    public var keySalt: [UInt8]
    public var lifetime: Lifetime?
    /// MKI value and its length in bytes (1…128).
    public var mki: (value: UInt64, length: Int)?

    public init(keySalt: [UInt8], lifetime: Lifetime? = nil, mki: (value: UInt64, length: Int)? = nil) {
        self.keySalt = keySalt
        self.encoded = Base64.encode(keySalt)
        self.lifetime = lifetime
        self.mki = mki
    }

    /// A bare key||salt in base64 (a media plane's key), re-encoded with padding; nil when it does
    /// not decode to the suite's length.
    public init?(base64: String, suite: SDPCryptoSuite) {
        guard let keySalt = Base64.decode(Substring(base64)), !keySalt.isEmpty,
              suite.keySaltLength.map({ keySalt.count == $0 }) ?? true else { return nil }
        self.init(keySalt: keySalt)
    }

    init(_ text: Substring, suite: SDPCryptoSuite) throws(SDPError) {
        guard text.hasPrefix("inline:") else { throw SDPError(.badCrypto) }
        let fields = text.dropFirst(7).utf8.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
            .map(Substring.init)
        guard fields.count <= 3, let key = Base64.decode(fields[0]) else { throw SDPError(.badCrypto) }
        if let expected = suite.keySaltLength, key.count != expected { throw SDPError(.badCrypto) }
        guard !key.isEmpty else { throw SDPError(.badCrypto) }
        encoded = String(fields[0])
        keySalt = key
        lifetime = nil
        mki = nil
        for field in fields.dropFirst() {
            if let colon = field.firstIndex(of: ":") {
                // MKI comes last and only once.
                guard mki == nil, let value = UInt64(field[..<colon]), let length = Int(field[field.index(after: colon)...]),
                      (1...128).contains(length) else { throw SDPError(.badCrypto) }
                if length < 8, value >= (UInt64(1) << UInt64(length * 8)) { throw SDPError(.badCrypto) }
                mki = (value, length)
            } else {
                guard lifetime == nil, mki == nil else { throw SDPError(.badCrypto) }
                if field.hasPrefix("2^") {
                    guard let n = Int(field.dropFirst(2)), (1...63).contains(n) else { throw SDPError(.badCrypto) }
                    lifetime = .powerOfTwo(n)
                } else {
                    guard let n = UInt64(field), n > 0 else { throw SDPError(.badCrypto) }
                    lifetime = .packets(n)
                }
            }
        }
    }

    public static func == (lhs: SDPCryptoKey, rhs: SDPCryptoKey) -> Bool {
        lhs.keySalt == rhs.keySalt && lhs.lifetime == rhs.lifetime && lhs.mki?.value == rhs.mki?.value && lhs.mki?.length == rhs.mki?.length
    }

    public var description: String {
        var s = "inline:\(encoded)"
        if let lifetime { s += "|\(lifetime)" }
        if let mki { s += "|\(mki.value):\(mki.length)" }
        return s
    }
}
