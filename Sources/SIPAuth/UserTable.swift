/// One line of the user table: a user's HA1 for one realm and one hash. No clear password is
/// ever stored: HA1 = H(username ":" realm ":" password) (RFC 7616 §3.4.2), which is all the
/// verifier needs for both the plain and the `-sess` algorithms.
public struct UserEntry: Sendable, Hashable {
    public var username: [UInt8]
    public var realm: [UInt8]
    public var hash: DigestAlgorithm.Hash
    /// Lower-case hex, as the response computation hashes it.
    public var ha1: [UInt8]

    public init(username: [UInt8], realm: [UInt8], hash: DigestAlgorithm.Hash, ha1: [UInt8]) {
        self.username = username
        self.realm = realm
        self.hash = hash
        self.ha1 = ha1.map(asciiLowercased)
    }

    /// Makes an entry from a password, which is hashed here and not kept. Used by `scripts/run` for
    /// demo users with random passwords and by `palisadectl users add`; make one entry per hash a
    /// user's phone may choose.
    public init(username: String, realm: String, password: String, hash: DigestAlgorithm.Hash) {
        self.init(username: Array(username.utf8), realm: Array(realm.utf8), hash: hash,
                  ha1: DigestResponse.ha1(hash: hash, username: username.utf8, realm: realm.utf8,
                                          password: password.utf8))
    }

    /// One entry per hash, strongest first: what `scripts/run` writes for a demo user, so phones
    /// that only know MD5 can register next to those that use SHA-256.
    public static func entries(username: String, realm: String, password: String,
                               hashes: [DigestAlgorithm.Hash] = [.sha256, .md5]) -> [UserEntry] {
        hashes.map { UserEntry(username: username, realm: realm, password: password, hash: $0) }
    }

    /// Appends the file line, `username realm algorithm:hex-HA1` and a newline.
    public func serialize(into buffer: inout [UInt8]) {
        buffer.append(contentsOf: username)
        buffer.append(UInt8(ascii: " "))
        buffer.append(contentsOf: realm)
        buffer.append(UInt8(ascii: " "))
        buffer.append(contentsOf: hash.token.utf8)
        buffer.append(UInt8(ascii: ":"))
        buffer.append(contentsOf: ha1)
        buffer.append(UInt8(ascii: "\n"))
    }

    public var line: String {
        var buffer: [UInt8] = []
        serialize(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// The embedded registrar's users: at most one HA1 per (username, realm, hash).
public struct UserTable: Sendable {
    struct Key: Hashable, Sendable {
        var username: [UInt8]
        var realm: [UInt8]
        var hash: DigestAlgorithm.Hash
    }

    private var byKey: [Key: UserEntry] = [:]
    /// File order, for printing the table back.
    public private(set) var entries: [UserEntry] = []

    public init() {}

    public init(entries: [UserEntry]) throws(UserTableError) {
        for (index, entry) in entries.enumerated() {
            try add(entry, line: index + 1)
        }
    }

    public var count: Int { entries.count }

    public func lookup(username: some Collection<UInt8>, realm: some Collection<UInt8>,
                       hash: DigestAlgorithm.Hash) -> UserEntry? {
        byKey[Key(username: Array(username), realm: Array(realm), hash: hash)]
    }

    /// Adds an entry; a second entry for the same user, realm and hash is an error, not an override.
    public mutating func add(_ entry: UserEntry) throws(UserTableError) {
        try add(entry, line: entries.count + 1)
    }

    mutating func add(_ entry: UserEntry, line: Int) throws(UserTableError) {
        let key = Key(username: entry.username, realm: entry.realm, hash: entry.hash)
        guard byKey[key] == nil else { throw UserTableError(.duplicateEntry, line: line) }
        byKey[key] = entry
        entries.append(entry)
    }

    /// The whole file: a header comment and one line per entry.
    public func serialize(into buffer: inout [UInt8]) {
        buffer.append(contentsOf: "# username realm algorithm:HA1 (HA1 = H(username:realm:password))\n".utf8)
        for entry in entries {
            entry.serialize(into: &buffer)
        }
    }
}

/// What is wrong with a user file, and on which line (1-based). Equal on the code.
public struct UserTableError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// Not exactly three whitespace-separated fields.
        case wrongFieldCount
        /// The third field has no `algorithm:` prefix.
        case missingAlgorithm
        case unknownAlgorithm
        /// The HA1 is not hex of the algorithm's digest length.
        case malformedHA1
        case duplicateEntry
        /// A control byte (other than tab) inside the line.
        case invalidCharacter
    }

    public let code: Code
    public let line: Int

    public init(_ code: Code, line: Int) {
        self.code = code
        self.line = line
    }

    public var description: String { "user table line \(line): \(code)" }
}

extension UserTableError: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
}
