import PosixSupport
import Testing

@Suite("Identifier randomness")
struct IdentifierRandomTests {
    @Test("draws across several buffer refills never repeat and cover the whole 64 bits")
    func distinctWords() {
        var generator = IdentifierRandom()
        let words = (0..<200).map { _ in generator.next() }
        #expect(Set(words).count == words.count)
        // Each bit is set in some draws and clear in others (200 draws: a stuck bit would show).
        let anySet = words.reduce(UInt64(0)) { $0 | $1 }
        let anyClear = words.reduce(UInt64(0)) { $0 | ~$1 }
        #expect(anySet == .max)
        #expect(anyClear == .max)
    }

    @Test("threads draw from their own buffers and still never share a word")
    func distinctAcrossThreads() async {
        let batches = await withTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<4 {
                group.addTask { var g = IdentifierRandom(); return (0..<100).map { _ in g.next() } }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(Set(batches).count == 400)
    }

    @Test("value(in:) stays in its range, both ends included")
    func ranges() {
        let small = (0..<500).map { _ in IdentifierRandom.value(in: 0...3) }
        #expect(Set(small) == [0, 1, 2, 3])
        #expect((0..<100).allSatisfy { _ in (1...0x7FFF_FFFF).contains(IdentifierRandom.value(in: UInt32(1)...0x7FFF_FFFF)) })
    }
}
