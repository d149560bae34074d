extension UserTable {
    /// Parses the user file: one user per line, `username realm algorithm:hex-HA1`, fields split by
    /// spaces or tabs; lines whose first non-blank byte is `#` are comments; blank lines are skipped;
    /// CRLF line ends are accepted. The first bad line stops the parse, named in the error.
    public init(parsing text: some Collection<UInt8>) throws(UserTableError) {
        self.init()
        var lineNumber = 0
        for rawLine in Array(text).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine[...]
            if line.last == 0x0d { line = line.dropLast() }
            if line.contains(where: { ($0 < 0x20 && $0 != UInt8(ascii: "\t")) || $0 == 0x7f }) {
                throw UserTableError(.invalidCharacter, line: lineNumber)
            }
            let fields = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            guard let first = fields.first else { continue }
            if first.first == UInt8(ascii: "#") { continue }
            guard fields.count == 3 else { throw UserTableError(.wrongFieldCount, line: lineNumber) }
            let secret = fields[2]
            guard let colon = secret.firstIndex(of: UInt8(ascii: ":")) else {
                throw UserTableError(.missingAlgorithm, line: lineNumber)
            }
            guard let hash = DigestAlgorithm.Hash(token: secret[..<colon]) else {
                throw UserTableError(.unknownAlgorithm, line: lineNumber)
            }
            let ha1 = secret[secret.index(after: colon)...]
            guard ha1.count == hash.hexDigestLength, Hex.decode(ha1) != nil else {
                throw UserTableError(.malformedHA1, line: lineNumber)
            }
            try add(UserEntry(username: Array(fields[0]), realm: Array(fields[1]), hash: hash, ha1: Array(ha1)),
                    line: lineNumber)
        }
    }
}
