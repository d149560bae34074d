import SIPAuth
import Testing

@Suite("The user table file")
struct UserTableTests {
    @Test("The fixture parses: comments and blank lines skipped, one entry per user and hash")
    func parsesFixture() throws {
        let table = try UserTable(parsing: SIPAuthFixtures.bytes("users.txt"))
        #expect(table.count == 4)
        let alice = table.lookup(username: "alice".utf8, realm: "example.com".utf8, hash: .sha256)
        #expect(alice?.ha1.text == "8a76b8adf2eb7492ff78f57bc361a5c93e2f53c6e93f7ee91f68b5382cfea14f")
        #expect(table.lookup(username: "alice".utf8, realm: "example.org".utf8, hash: .sha256) == nil)
        #expect(table.lookup(username: "Alice".utf8, realm: "example.com".utf8, hash: .sha256) == nil)
    }

    @Test("An entry made from a password matches the file, and no password is kept")
    func entryFromPassword() throws {
        let table = try UserTable(parsing: SIPAuthFixtures.bytes("users.txt"))
        for hash in DigestAlgorithm.Hash.allCases {
            let made = UserEntry(username: "bob", realm: "example.com", password: "builder", hash: hash)
            #expect(made == table.lookup(username: "bob".utf8, realm: "example.com".utf8, hash: hash))
            #expect(!made.line.contains("builder"))
        }
        #expect(UserEntry(username: "bob", realm: "example.com", password: "builder", hash: .md5).line
            == "bob example.com MD5:37593d991414f52c30246c60c7798431\n")
    }

    @Test("A demo user gets a SHA-256 and an MD5 entry")
    func demoUser() throws {
        let entries = UserEntry.entries(username: "bob", realm: "example.com", password: "builder")
        #expect(entries.map(\.hash) == [.sha256, .md5])
        let table = try UserTable(parsing: SIPAuthFixtures.bytes("users.txt"))
        #expect(entries == table.entries.filter { $0.username == Array("bob".utf8) })
    }

    @Test("Serialized tables parse back to the same entries; CRLF, tabs and upper-case hex are accepted")
    func roundTrip() throws {
        var table = UserTable()
        try table.add(UserEntry(username: "carol", realm: "example.com", password: "p1", hash: .sha256))
        try table.add(UserEntry(username: "carol", realm: "example.com", password: "p1", hash: .md5))
        var bytes: [UInt8] = []
        table.serialize(into: &bytes)
        #expect(try UserTable(parsing: bytes).entries == table.entries)

        let crlf = "  # comment\r\n\r\ndave\texample.com   MD5:37593D991414F52C30246C60C7798431\r\n"
        let parsed = try UserTable(parsing: Array(crlf.utf8))
        #expect(parsed.entries.first?.ha1.text == "37593d991414f52c30246c60c7798431")
        #expect(throws: UserTableError(.duplicateEntry, line: 3)) {
            try table.add(UserEntry(username: "carol", realm: "example.com", password: "p2", hash: .md5))
        }
    }

    struct BadFile: CustomTestStringConvertible, Sendable {
        var file: String
        var code: String
        var line: Int
        var testDescription: String { file }
    }

    static let badFiles: [BadFile] = ((try? SIPAuthFixtures.rows("users-bad.manifest")) ?? []).map {
        BadFile(file: $0[0], code: $0[1], line: Int($0[2])!)
    }

    @Test("Bad files fail on the line the manifest names", arguments: badFiles)
    func badFile(_ bad: BadFile) throws {
        let bytes = try SIPAuthFixtures.bytes(bad.file)
        do {
            _ = try UserTable(parsing: bytes)
            Issue.record("\(bad.file) parsed")
        } catch {
            #expect("\(error.code)" == bad.code)
            #expect(error.line == bad.line)
            #expect(error.description == "user table line \(bad.line): \(bad.code)")
        }
    }

    @Test("The manifest lists every bad fixture")
    func manifestComplete() {
        #expect(Self.badFiles.count == 7)
    }
}
