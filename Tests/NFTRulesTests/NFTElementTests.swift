import NFTRules
import Testing

@Suite("Set element encoding")
struct NFTElementTests {
    @Test("Keys match the fixture bytes, fields padded to 32 bits in concatenations",
          arguments: try Fixture.elementCases())
    func keyBytes(_ fixture: Fixture.ElementCase) throws {
        let fields = fixture.element.split(separator: " . ").map(String.init)
        let element: NFTElement
        switch fixture.set {
        case .mediaOpen:
            element = .open(localPort: try #require(UInt16(fields[0])))
        case .mediaLatched4, .mediaLatched6:
            let peer = NFTPeer(address: try #require(NFTAddress(fields[0])), port: try #require(UInt16(fields[1])))
            element = .latched(peer: peer, localPort: try #require(UInt16(fields[2])))
            #expect(NFTSet.latched(for: peer.address.family) == fixture.set)
        case .banned4, .banned6:
            let address = try #require(NFTAddress(fields[0]))
            element = .banned(address)
            #expect(NFTSet.ban(for: address.family) == fixture.set)
        }
        #expect(element.key == fixture.key)
        #expect(element.key.count == fixture.set.keyLength)
    }

    @Test("Key lengths: a lone port is 2 bytes, concatenations pad each field to 4")
    func keyLengths() {
        #expect(NFTSet.mediaOpen.keyLength == 2)
        #expect(NFTSet.mediaLatched4.keyLength == 4 + 4 + 4)
        #expect(NFTSet.mediaLatched6.keyLength == 16 + 4 + 4)
        #expect(NFTSet.banned4.keyLength == 4)
        #expect(NFTSet.banned6.keyLength == 16)
    }

    @Test("Concatenated key types fold 6 bits per field, as nft stores them")
    func keyTypes() {
        #expect(NFTSet.mediaOpen.keyType == 13)
        #expect(NFTSet.banned4.keyType == 7)
        #expect(NFTSet.banned6.keyType == 8)
        #expect(NFTSet.mediaLatched4.keyType == (7 << 12) | (13 << 6) | 13)
        #expect(NFTSet.mediaLatched6.keyType == (8 << 12) | (13 << 6) | 13)
    }

    @Test("Timeouts are whole milliseconds, rounded up, never 0", arguments: [
        (Duration.seconds(30), UInt64(30_000)),
        (.milliseconds(1500), 1500),
        (.microseconds(1), 1),
        (.nanoseconds(1_000_001), 2),
        (.zero, 1),
    ])
    func timeoutMilliseconds(_ timeout: Duration, _ expected: UInt64) {
        #expect(NFTElement(key: [], timeout: timeout).timeoutMilliseconds == expected)
        #expect(NFTElement(key: []).timeoutMilliseconds == nil)
    }
}

@Suite("Addresses")
struct NFTAddressTests {
    @Test("Text round-trips in canonical form", arguments: [
        ("192.0.2.1", "192.0.2.1"),
        ("203.0.113.255", "203.0.113.255"),
        ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("::", "::"),
        ("::1", "::1"),
        ("2001:db8:0:1:0:0:0:7", "2001:db8:0:1::7"),
        ("2001:db8:1:1:1:1:1:1", "2001:db8:1:1:1:1:1:1"),
        ("::ffff:198.51.100.7", "::ffff:c633:6407"),
    ])
    func roundTrip(_ text: String, _ canonical: String) throws {
        #expect(try #require(NFTAddress(text)).description == canonical)
    }

    @Test("Malformed text is refused", arguments: [
        "", "192.0.2", "192.0.2.256", "192.0.2.1.1", "1::2::3", "2001:db8:::1", "12345::", "2001:db8:1:1:1:1:1:1:1",
        "g::1", "192.0.2.-1", " 192.0.2.1",
    ])
    func malformed(_ text: String) {
        #expect(NFTAddress(text) == nil)
    }
}
