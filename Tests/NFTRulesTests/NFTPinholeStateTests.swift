import NFTRules
import Testing

@Suite("Planning one call's changes as one batch")
struct NFTPinholeStateTests {
    let peer4 = NFTPeer(address: NFTAddress("192.0.2.10")!, port: 5004)
    let peer4b = NFTPeer(address: NFTAddress("198.51.100.20")!, port: 6000)
    let peer6 = NFTPeer(address: NFTAddress("2001:db8::10")!, port: 5004)

    @Test("Opening ports is one add message for all of them, never one per port")
    func openMany() {
        let plan = NFTPinholeState().plan([.openPinhole(localPort: 30002), .openPinhole(localPort: 30000)])
        #expect(plan.batch.operations == [.addElements(.mediaOpen, [.open(localPort: 30000), .open(localPort: 30002)])])
        #expect(plan.state.pinholes == [30000: .anySource, 30002: .anySource])
    }

    @Test("Narrowing deletes the any-source element and adds the latched one, deletions first")
    func narrow() {
        let open = NFTPinholeState().plan([.openPinhole(localPort: 30000)]).state
        let plan = open.plan([.narrowPinhole(localPort: 30000, peer: peer4)])
        #expect(plan.batch.operations == [
            .deleteElements(.mediaOpen, [.open(localPort: 30000)]),
            .addElements(.mediaLatched4, [.latched(peer: peer4, localPort: 30000)]),
        ])
        #expect(plan.state.pinholes == [30000: .latched(peer4)])
    }

    @Test("Re-latching to another peer, even of another family, replaces the latched element")
    func relatch() {
        let latched = NFTPinholeState(pinholes: [30000: .latched(peer4)])
        #expect(latched.plan([.narrowPinhole(localPort: 30000, peer: peer6)]).batch.operations == [
            .deleteElements(.mediaLatched4, [.latched(peer: peer4, localPort: 30000)]),
            .addElements(.mediaLatched6, [.latched(peer: peer6, localPort: 30000)]),
        ])
        #expect(latched.plan([.narrowPinhole(localPort: 30000, peer: peer4b)]).batch.operations == [
            .deleteElements(.mediaLatched4, [.latched(peer: peer4, localPort: 30000)]),
            .addElements(.mediaLatched4, [.latched(peer: peer4b, localPort: 30000)]),
        ])
    }

    @Test("Closing removes whichever element the port has")
    func close() {
        let state = NFTPinholeState(pinholes: [30000: .latched(peer4), 30002: .anySource])
        let plan = state.plan([.closePinhole(localPort: 30000), .closePinhole(localPort: 30002)])
        #expect(plan.batch.operations == [
            .deleteElements(.mediaOpen, [.open(localPort: 30002)]),
            .deleteElements(.mediaLatched4, [.latched(peer: peer4, localPort: 30000)]),
        ])
        #expect(plan.state.pinholes.isEmpty)
    }

    @Test("Repeating a change, or closing what is not open, sends nothing")
    func idempotent() {
        let state = NFTPinholeState(pinholes: [30000: .latched(peer4)])
        #expect(state.plan([.narrowPinhole(localPort: 30000, peer: peer4)]).batch.isEmpty)
        #expect(state.plan([.closePinhole(localPort: 40000)]).batch.isEmpty)
        #expect(state.plan([]).batch.isEmpty)
    }

    @Test("Several changes to one port collapse to the last")
    func collapse() {
        let plan = NFTPinholeState().plan([
            .openPinhole(localPort: 30000), .narrowPinhole(localPort: 30000, peer: peer4), .closePinhole(localPort: 30000),
            .openPinhole(localPort: 30002), .narrowPinhole(localPort: 30002, peer: peer6),
        ])
        #expect(plan.batch.operations == [.addElements(.mediaLatched6, [.latched(peer: peer6, localPort: 30002)])])
    }

    @Test("1,000 ports: one batch, split into messages of at most 512 elements")
    func thousand() {
        let ports = (0..<1000).map { UInt16(20000 + 2 * $0) }
        let batch = NFTPinholeState().plan(ports.map { .openPinhole(localPort: $0) }).batch
        #expect(batch.elementCount == 1000)
        #expect(batch.operations.count == 2)
        #expect(batch.operations.first == .addElements(.mediaOpen, ports.prefix(512).map { .open(localPort: $0) }))
    }

    @Test("A ban is add, delete, add-with-timeout: it cannot fail and it restarts the timeout")
    func ban() {
        let a4 = NFTAddress("203.0.113.5")!
        let b4 = NFTAddress("203.0.113.6")!
        let a6 = NFTAddress("2001:db8::5")!
        let plan = NFTPinholeState().plan([
            .ban(a4, timeout: .seconds(10)), .ban(a6, timeout: .seconds(60)), .unban(b4), .ban(a4, timeout: .seconds(30)),
        ])
        #expect(plan.batch.operations == [
            .addElements(.banned4, [.banned(a4), .banned(b4)]),
            .deleteElements(.banned4, [.banned(a4), .banned(b4)]),
            .addElements(.banned4, [.banned(a4, timeout: .seconds(30))]),
            .addElements(.banned6, [.banned(a6)]),
            .deleteElements(.banned6, [.banned(a6)]),
            .addElements(.banned6, [.banned(a6, timeout: .seconds(60))]),
        ])
        #expect(plan.state == NFTPinholeState())
    }

    @Test("An unban alone is add then delete, so an expired ban is no error")
    func unban() {
        let a4 = NFTAddress("203.0.113.5")!
        #expect(NFTPinholeState().plan([.unban(a4)]).batch.operations == [
            .addElements(.banned4, [.banned(a4)]),
            .deleteElements(.banned4, [.banned(a4)]),
        ])
    }
}
