/// The pinholes the kernel holds, as palisade-media last applied them. Planning is pure: it
/// returns the batch and the state to adopt once the kernel has accepted that batch, so a failed
/// batch leaves the recorded state as the kernel still has it.
public struct NFTPinholeState: Hashable, Sendable {
    public enum Pinhole: Hashable, Sendable {
        case anySource
        case latched(NFTPeer)
    }

    public private(set) var pinholes: [UInt16: Pinhole]

    public init(pinholes: [UInt16: Pinhole] = [:]) {
        self.pinholes = pinholes
    }

    /// Turns one call's changes into one batch. Several changes to the same port or address
    /// collapse to the last; only the difference from the current state is sent. Order inside the
    /// batch: pinhole deletions, pinhole additions, then bans. Narrowing deletes the any-source
    /// element and adds the latched one in the same transaction, so no packet sees neither.
    public func plan(_ changes: [NFTChange]) -> NFTPlan {
        var desired = pinholes
        var bans: [NFTAddress: Duration?] = [:]
        var banOrder: [NFTAddress] = []
        for change in changes {
            switch change {
            case .openPinhole(let port): desired[port] = .anySource
            case .narrowPinhole(let port, let peer): desired[port] = .latched(peer)
            case .closePinhole(let port): desired[port] = nil
            case .ban(let address, let timeout):
                if bans.updateValue(timeout, forKey: address) == nil { banOrder.append(address) }
            case .unban(let address):
                if bans.updateValue(nil, forKey: address) == nil { banOrder.append(address) }
            }
        }

        var deletions: [NFTSet: [NFTElement]] = [:]
        var additions: [NFTSet: [NFTElement]] = [:]
        for port in Set(pinholes.keys).union(desired.keys).sorted() where pinholes[port] != desired[port] {
            if let old = pinholes[port] { deletions[Self.set(for: old), default: []].append(Self.element(old, port)) }
            if let new = desired[port] { additions[Self.set(for: new), default: []].append(Self.element(new, port)) }
        }

        var batch = NFTBatch()
        for set in NFTSet.allCases { if let elements = deletions[set] { batch.deleteElements(elements, from: set) } }
        for set in NFTSet.allCases { if let elements = additions[set] { batch.addElements(elements, to: set) } }
        for family in NFTAddress.Family.allCases {
            let addresses = banOrder.filter { $0.family == family }
            guard !addresses.isEmpty else { continue }
            // Add without a timeout (a no-op if present), then delete: the address is now absent
            // whether or not it was banned or its ban expired, and neither step can fail. Then add
            // the bans with their fresh timeouts. All inside the one transaction.
            let set = NFTSet.ban(for: family)
            let keys = addresses.map { NFTElement.banned($0) }
            batch.addElements(keys, to: set)
            batch.deleteElements(keys, from: set)
            let banned = addresses.compactMap { address in bans[address]!.map { NFTElement.banned(address, timeout: $0) } }
            if !banned.isEmpty { batch.addElements(banned, to: set) }
        }
        return NFTPlan(batch: batch, state: NFTPinholeState(pinholes: desired))
    }

    /// Adds every pinhole to `batch` (used when the table is rebuilt).
    func appendRestore(to batch: inout NFTBatch) {
        var additions: [NFTSet: [NFTElement]] = [:]
        for port in pinholes.keys.sorted() {
            let pinhole = pinholes[port]!
            additions[Self.set(for: pinhole), default: []].append(Self.element(pinhole, port))
        }
        for set in NFTSet.allCases { if let elements = additions[set] { batch.addElements(elements, to: set) } }
    }

    private static func set(for pinhole: Pinhole) -> NFTSet {
        switch pinhole {
        case .anySource: .mediaOpen
        case .latched(let peer): .latched(for: peer.address.family)
        }
    }

    private static func element(_ pinhole: Pinhole, _ port: UInt16) -> NFTElement {
        switch pinhole {
        case .anySource: .open(localPort: port)
        case .latched(let peer): .latched(peer: peer, localPort: port)
        }
    }
}

/// A planned batch and the state to record once the kernel has applied it.
public struct NFTPlan: Hashable, Sendable {
    public var batch: NFTBatch
    public var state: NFTPinholeState
}
