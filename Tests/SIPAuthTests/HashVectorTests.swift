import SIPAuth
import Testing

@Suite("MD5, SHA-256 and HMAC-SHA-256 against published vectors")
struct HashVectorTests {
    struct Vector: CustomTestStringConvertible, Sendable {
        var algorithm: String
        var input: String
        var expected: String
        var testDescription: String { "\(algorithm) \(input.prefix(40))" }
    }

    static let hashVectors: [Vector] = (try? SIPAuthFixtures.rows("hash-vectors.txt"))?.map {
        Vector(algorithm: $0[0], input: $0[1], expected: $0[2])
    } ?? []

    @Test("The vector file is there and covers both algorithms")
    func vectorFileLoads() {
        #expect(Self.hashVectors.count == 42)
        #expect(Set(Self.hashVectors.map(\.algorithm)) == ["MD5", "SHA-256"])
    }

    @Test("RFC 1321 A.5, NIST examples and block-boundary lengths", arguments: hashVectors)
    func oneShot(_ vector: Vector) {
        let input = SIPAuthFixtures.expand(vector.input)
        let digest = vector.algorithm == "MD5" ? MD5.hash(input) : SHA256.hash(input)
        #expect(Hex.encode(digest).text == vector.expected)
    }

    @Test("Drip-fed in uneven pieces, the digest is the same", arguments: hashVectors.filter { !$0.input.hasPrefix("repeat:1000000") })
    func dripFed(_ vector: Vector) {
        let input = SIPAuthFixtures.expand(vector.input)
        var md5 = MD5()
        var sha = SHA256()
        var start = 0
        var piece = 1
        while start < input.count {
            let end = min(input.count, start + piece)
            md5.update(input[start..<end])
            sha.update(input[start..<end])
            start = end
            piece = piece % 7 + 1
        }
        let digest = vector.algorithm == "MD5" ? md5.finalize() : sha.finalize()
        #expect(Hex.encode(digest).text == vector.expected)
    }

    @Test("RFC 4231 §4 HMAC-SHA-256 test cases 1-7",
          arguments: (try? SIPAuthFixtures.rows("hmac-sha256-vectors.txt")) ?? [])
    func hmac(_ row: [String]) {
        let mac = HMACSHA256.authenticate(SIPAuthFixtures.expand(row[1]), key: SIPAuthFixtures.expand(row[0]))
        #expect(Hex.encode(mac).text == row[2])
    }

    @Test("RFC 4231 §4.6 test case 5 truncated to 128 bits")
    func hmacTruncated() {
        let mac = HMACSHA256.authenticate(Array("Test With Truncation".utf8), key: [UInt8](repeating: 0x0c, count: 20))
        #expect(Hex.encode(mac.prefix(16)).text == "a3b6167473100ee06e0c796c2955552b")
    }

    @Test("Constant-time comparison: equal, one bit off, different lengths")
    func constantTime() {
        let digest = SHA256.hash(Array("abc".utf8))
        var flipped = digest
        flipped[31] ^= 0x01
        #expect(constantTimeEquals(digest, digest))
        #expect(!constantTimeEquals(digest, flipped))
        #expect(!constantTimeEquals(digest, digest.prefix(31)))
        #expect(constantTimeEquals([UInt8](), [UInt8]()))
    }

    @Test("Hex decodes either case and refuses odd lengths and non-hex")
    func hex() {
        #expect(Hex.decode(Array("00fFa9".utf8)) == [0x00, 0xff, 0xa9])
        #expect(Hex.decode(Array("abc".utf8)) == nil)
        #expect(Hex.decode(Array("zz".utf8)) == nil)
        #expect(Hex.encode([0x00, 0xff, 0x0a]).text == "00ff0a")
    }
}
