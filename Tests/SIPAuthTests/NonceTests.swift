import SIPAuth
import Testing

@Suite("Stateless nonces and the replay table")
struct NonceTests {
    let authority = NonceAuthority(secret: [UInt8](0..<32), lifetime: .seconds(300))
    let t0 = AuthInstant.seconds(5000)

    @Test("A minted nonce is 64 lower-case hex characters, distinct per salt, valid until its lifetime ends")
    func mintAndCheck() {
        let nonce = authority.mint(now: t0, salt: 1)
        #expect(nonce.count == NonceAuthority.nonceLength)
        #expect(nonce.allSatisfy { Hex.decode([$0, $0]) != nil && !(UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) })
        #expect(authority.mint(now: t0, salt: 2) != nonce)
        #expect(authority.check(nonce, now: t0) == .valid(issuedAt: t0))
        #expect(authority.check(nonce, now: t0.advanced(by: .seconds(300))) == .valid(issuedAt: t0))
        #expect(authority.check(nonce, now: t0.advanced(by: .milliseconds(300_001))) == .expired(issuedAt: t0))
        #expect(authority.check(nonce, now: AuthInstant(milliseconds: t0.milliseconds - 1)) == .invalid)
        #expect(authority.check(nonce.dropLast(), now: t0) == .invalid)
        #expect(authority.check(nonce, now: t0, clientAddress: "192.0.2.1".utf8) == .invalid)
    }

    @Test("A nonce bound to an address is valid from that address only")
    func addressBinding() {
        let nonce = authority.mint(now: t0, salt: 1, clientAddress: "2001:db8::1".utf8)
        #expect(authority.check(nonce, now: t0, clientAddress: "2001:db8::1".utf8) == .valid(issuedAt: t0))
        #expect(authority.check(nonce, now: t0, clientAddress: "2001:db8::2".utf8) == .invalid)
        #expect(authority.check(nonce, now: t0) == .invalid)
    }

    @Test("Replay table: counts must increase; memory stays at capacity; evicted nonces are forgotten")
    func replayTable() {
        var table = NonceReplayTable(capacity: 2)
        let (a, b, c) = (Array("a".utf8), Array("b".utf8), Array("c".utf8))
        #expect(table.admit(nonce: a, issuedAt: .seconds(1), nonceCount: 1) == .fresh)
        #expect(table.admit(nonce: a, issuedAt: .seconds(1), nonceCount: 1) == .replayed)
        #expect(table.admit(nonce: b, issuedAt: .seconds(2), nonceCount: 5) == .fresh)
        #expect(table.admit(nonce: c, issuedAt: .seconds(3), nonceCount: 1) == .fresh)
        #expect(table.count == 2)
        #expect(table.admit(nonce: a, issuedAt: .seconds(1), nonceCount: 2) == .forgotten)
        #expect(table.admit(nonce: b, issuedAt: .seconds(2), nonceCount: 6) == .fresh)
        for index in 0..<1000 {
            _ = table.admit(nonce: Array("n\(index)".utf8), issuedAt: .seconds(UInt64(10 + index)), nonceCount: 1)
        }
        #expect(table.count == 2)
        #expect(table.capacity == 2)
        table.removeExpired(issuedBefore: .seconds(2000))
        #expect(table.count == 0)
    }

    @Test("AuthInstant arithmetic saturates instead of wrapping")
    func instantArithmetic() {
        let t = AuthInstant.seconds(2)
        #expect(t.advanced(by: .milliseconds(1500)) == AuthInstant(milliseconds: 3500))
        #expect(t.advanced(by: .seconds(-1)) == AuthInstant(milliseconds: 1000))
        #expect(t.advanced(by: .seconds(-5)) == AuthInstant(milliseconds: 0))
        #expect(AuthInstant(milliseconds: .max - 1).advanced(by: .seconds(1)) == AuthInstant(milliseconds: .max))
        #expect(t.duration(since: .seconds(1)) == .seconds(1))
        #expect(AuthInstant.seconds(1).duration(since: t) == .zero)
    }
}
